package kafkasink_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

type doneRecorder struct {
	calls  atomic.Int32
	err    error // written before called is closed
	called chan struct{}
}

func newDoneRecorder() *doneRecorder { return &doneRecorder{called: make(chan struct{})} }

func (d *doneRecorder) done(err error) {
	if d.calls.Add(1) == 1 {
		d.err = err
		close(d.called)
	}
}

func (d *doneRecorder) wait(t testing.TB) error {
	t.Helper()
	select {
	case <-d.called:
		return d.err
	case <-time.After(hangGuard):
		t.Fatal("done was never called")
		return nil
	}
}

// waitLong is wait for a result that may come after a backoff of up to
// ten seconds (a topic's retry).
func (d *doneRecorder) waitLong(t testing.TB) error {
	t.Helper()
	select {
	case <-d.called:
		return d.err
	case <-time.After(3 * hangGuard):
		t.Fatal("done was never called")
		return nil
	}
}

// newProducer returns a producer that is closed, and so flushed, when t ends.
func newProducer(t testing.TB, opts ...kafkasink.Option) *kafkasink.Producer {
	t.Helper()
	p, err := kafkasink.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// newUnreachableProducer returns a producer whose only broker address refuses
// connections, so every message stays in flight until Close; it is closed
// without waiting when t ends.
func newUnreachableProducer(t testing.TB, opts ...kafkasink.Option) *kafkasink.Producer {
	t.Helper()
	p, err := kafkasink.New(append([]kafkasink.Option{kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { p.Close(canceledContext(t)) })
	return p
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func canceledContext(testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// consume reads n records of topic from the start, failing t if they do not
// arrive within hangGuard.
func consume(t testing.TB, seeds []string, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(seeds...),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.AllowAutoTopicCreation(),
		// franz-go may start its first fetch with only some partitions'
		// offsets loaded; an empty partition then holds the fetch for
		// FetchMaxWait (default 5s) before the rest are asked for.
		kgo.FetchMaxWait(100*time.Millisecond),
	)
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	var records []*kgo.Record
	for len(records) < n {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records from %s before giving up", len(records), n, topic)
		}
		fetches.EachError(func(topic string, partition int32, err error) {
			t.Fatalf("consuming %s[%d]: %v", topic, partition, err)
		})
		records = append(records, fetches.Records()...)
	}
	if len(records) > n {
		t.Fatalf("consumed %d records from %s, want %d", len(records), topic, n)
	}
	return records
}

func assertRecord(t *testing.T, got *kgo.Record, want kafkasink.Message) {
	t.Helper()
	if got.Topic != want.Topic {
		t.Errorf("topic = %q, want %q", got.Topic, want.Topic)
	}
	if !bytes.Equal(got.Key, want.Key) {
		t.Errorf("key = %q, want %q", got.Key, want.Key)
	}
	if !bytes.Equal(got.Value, want.Value) {
		t.Errorf("value differs: got %d bytes, want %d", len(got.Value), len(want.Value))
	}
	if len(got.Headers) != len(want.Headers) {
		t.Fatalf("headers = %v, want %v", got.Headers, want.Headers)
	}
	for i, h := range want.Headers {
		if got.Headers[i].Key != h.Key || !bytes.Equal(got.Headers[i].Value, h.Value) {
			t.Errorf("header %d = %q: %q, want %q: %q", i, got.Headers[i].Key, got.Headers[i].Value, h.Key, h.Value)
		}
	}
}

// closeLeaving closes p, whose broker is away, and checks that Close says
// that n records remain in the spool (ErrSpooled with the count).
func closeLeaving(t testing.TB, p *kafkasink.Producer, ctx context.Context, n int) {
	t.Helper()
	err := p.Close(ctx)
	if !errors.Is(err, kafkasink.ErrSpooled) || !strings.Contains(err.Error(), fmt.Sprintf(" %d records remain in ", n)) {
		t.Fatalf("Close = %v, want ErrSpooled saying %d records remain", err, n)
	}
}
