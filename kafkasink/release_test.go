package kafkasink_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// A producer without spool reads nothing of a message once it has called
// its done callback: each done overwrites its message's key, value and
// header bytes, and every record on the broker still holds what was
// produced, also when the broker refuses produce requests at times, so that
// records are sent again. With the spool, ReleasesMessages is false.
func TestProducerReadsNothingOfAMessageAfterItsDone(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.SeedTopics(3, "released"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	var requests atomic.Int64
	// The first request and every third after: a retriable error, their records are sent again.
	testkit.RefuseProduce(c, func() bool { return requests.Add(1)%3 == 1 }, kerr.NotEnoughReplicas.Code)
	p := newProducer(t, kafkasink.WithBrokers(c.ListenAddrs()...), kafkasink.WithLogger(nil))
	if !p.ReleasesMessages() {
		t.Fatal("a producer without spool does not release its messages")
	}
	const n = 3000
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range n {
		m := kafkasink.Message{Topic: "released", Key: fmt.Appendf(nil, "key-%d", i), Value: fmt.Appendf(nil, `{"n":%d,"pad":"%0100d"}`, i, i),
			Headers: []kafkasink.Header{{Key: "h", Value: fmt.Appendf(nil, "header-%d", i)}}}
		wg.Add(1)
		p.Produce(t.Context(), m, func(err error) {
			defer wg.Done()
			if err != nil {
				failed.Add(1)
			}
			for _, b := range [][]byte{m.Key, m.Value, m.Headers[0].Value} {
				for j := range b {
					b[j] = '!'
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d messages failed", failed.Load())
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics("released"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen := make(map[string]bool)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for len(seen) < n && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			var i int
			if _, err := fmt.Sscanf(string(r.Key), "key-%d", &i); err != nil {
				t.Fatalf("record with key %q: overwritten after done", r.Key)
			}
			want := fmt.Appendf(nil, `{"n":%d,"pad":"%0100d"}`, i, i)
			if !bytes.Equal(r.Value, want) || len(r.Headers) != 1 || string(r.Headers[0].Value) != fmt.Sprintf("header-%d", i) {
				t.Fatalf("record %d: value %q, headers %v: overwritten after done", i, r.Value, r.Headers)
			}
			seen[string(r.Key)] = true
		})
	}
	if len(seen) != n {
		t.Fatalf("%d of %d records on the broker", len(seen), n)
	}
	if requests.Load() < 2 { // the first, refused, and its retry
		t.Fatalf("%d produce requests: no record was sent again", requests.Load())
	}

	spooled := newProducer(t, kafkasink.WithBrokers(c.ListenAddrs()...), kafkasink.WithLogger(nil), kafkasink.WithSpool(t.TempDir()))
	if spooled.ReleasesMessages() {
		t.Error("a producer with spool says it releases its messages at done")
	}
}
