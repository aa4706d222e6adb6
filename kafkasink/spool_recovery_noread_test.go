package kafkasink_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestSpoolRecoveryWithoutReadRights: a producer commonly has Write but
// not Read rights on its topics, so its fetches fail with
// TOPIC_AUTHORIZATION_FAILED. Recovery then cannot check the partitions'
// tails; as documented it gives up and produces the records again (they
// may duplicate): it must not wait for the fetch forever, holding back
// every spooled record.
func TestSpoolRecoveryWithoutReadRights(t *testing.T) {
	const n = 20
	dir := t.TempDir()
	away, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	produceAll(t, away, "write-only", n)
	closeLeaving(t, away, context.Background(), n)

	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.SeedTopics(1, "write-only"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	// A record on the partition, so that recovery has a tail to read.
	seedRecord(t, c.ListenAddrs(), "write-only")
	c.ControlKey(int16(kmsg.Fetch), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kreq.(*kmsg.FetchRequest)
		resp := req.ResponseKind().(*kmsg.FetchResponse)
		for _, rt := range req.Topics {
			t := kmsg.NewFetchResponseTopic()
			t.Topic, t.TopicID = rt.Topic, rt.TopicID
			for _, rp := range rt.Partitions {
				p := kmsg.NewFetchResponseTopicPartition()
				p.Partition, p.ErrorCode = rp.Partition, kerr.TopicAuthorizationFailed.Code
				t.Partitions = append(t.Partitions, p)
			}
			resp.Topics = append(resp.Topics, t)
		}
		return resp, nil, true
	})
	back := newProducer(t, kafkasink.WithBrokers(c.ListenAddrs()...), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	if err := back.Flush(ctx); err != nil {
		t.Fatalf("Flush after a recovery without Read rights: %v", err)
	}
}
