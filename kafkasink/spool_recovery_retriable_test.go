package kafkasink_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestSpoolRecoveryRetriesATransientError: at the restart the partition's
// leader is being elected (a rolling restart of the brokers), so the first
// metadata answer for the topic is LEADER_NOT_AVAILABLE. That is no
// refusal: recovery must try again, not give up and produce again records
// already on the broker.
func TestSpoolRecoveryRetriesATransientError(t *testing.T) {
	const n = 30
	dir := t.TempDir()
	away, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	produceAll(t, away, "moving-leader", n)
	closeLeaving(t, away, context.Background(), n)

	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	seeds := c.ListenAddrs()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	for i := range n { // all delivered before the crash
		m := spoolMessage("moving-leader", i)
		if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: m.Topic, Key: m.Key, Value: m.Value, Headers: m.Headers}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cl.Close()
	var once atomic.Bool
	c.ControlKey(int16(kmsg.Metadata), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kreq.(*kmsg.MetadataRequest)
		if len(req.Topics) != 1 || req.Topics[0].Topic == nil || *req.Topics[0].Topic != "moving-leader" || once.Swap(true) {
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.MetadataResponse)
		mt := kmsg.NewMetadataResponseTopic()
		mt.Topic, mt.ErrorCode = req.Topics[0].Topic, kerr.LeaderNotAvailable.Code
		resp.Topics = append(resp.Topics, mt)
		return resp, nil, true
	})

	back := newProducer(t, kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err := back.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	sentinel := spoolMessage("moving-leader", 5000)
	errc := make(chan error, 1)
	back.Produce(t.Context(), sentinel, func(err error) { errc <- err })
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for _, r := range consume(t, seeds, "moving-leader", n+1) {
		ids[string(r.Headers[0].Value)]++
	}
	for i := range n {
		if c := ids[fmt.Sprintf("id-%d", i)]; c != 1 {
			t.Errorf("event id-%d on the broker %d times, want once", i, c)
		}
	}
}
