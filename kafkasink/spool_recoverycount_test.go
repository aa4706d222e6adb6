package kafkasink_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// refuseListOffsets makes c answer every ListOffsets request with
// TOPIC_AUTHORIZATION_FAILED, as a cluster does for a producer without the
// Describe ACL on the topic.
func refuseListOffsets(c *kfake.Cluster) {
	c.ControlKey(int16(kmsg.ListOffsets), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kreq.(*kmsg.ListOffsetsRequest)
		resp := req.ResponseKind().(*kmsg.ListOffsetsResponse)
		for _, rt := range req.Topics {
			t := kmsg.NewListOffsetsResponseTopic()
			t.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				p := kmsg.NewListOffsetsResponseTopicPartition()
				p.Partition, p.ErrorCode = rp.Partition, kerr.TopicAuthorizationFailed.Code
				t.Partitions = append(t.Partitions, p)
			}
			resp.Topics = append(resp.Topics, t)
		}
		return resp, nil, true
	})
}

// TestSpoolRecoveryCountsReleasedAndUncheckedRecords: an earlier process
// left records in the spool, some of which reached the broker; the next
// producer's SpoolRecovery counts them all, those it released as already
// on the broker, and those it produced again without a check (no event ID,
// or tails it may not read), which may be duplicates.
func TestSpoolRecoveryCountsReleasedAndUncheckedRecords(t *testing.T) {
	tests := []struct {
		name              string
		withID, withoutID int
		onBroker          int
		tailsRefused      bool
		want              kafkasink.SpoolRecovery
	}{
		{"some on the broker", 100, 0, 37, false, kafkasink.SpoolRecovery{Recovered: 100, Released: 37}},
		{"none on the broker", 50, 0, 0, false, kafkasink.SpoolRecovery{Recovered: 50}},
		{"some without event ID", 60, 40, 10, false, kafkasink.SpoolRecovery{Recovered: 100, Released: 10, Unchecked: 40}},
		{"tails refused", 100, 0, 37, true, kafkasink.SpoolRecovery{Recovered: 100, Unchecked: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			away, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
			if err != nil {
				t.Fatal(err)
			}
			produceAll(t, away, "recounted", tt.withID)
			for i := range tt.withoutID {
				away.Produce(t.Context(), kafkasink.Message{Topic: "recounted", Value: fmt.Appendf(nil, `{"anonymous":%d}`, i)}, nil)
			}
			if got := away.SpoolRecovery(); got != (kafkasink.SpoolRecovery{Dir: dir}) {
				t.Errorf("SpoolRecovery of a producer that found an empty spool = %+v, want zero counts", got)
			}
			closeLeaving(t, away, context.Background(), tt.withID+tt.withoutID)

			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.AllowAutoTopicCreation())
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.onBroker { // what the earlier process delivered before it died
				m := spoolMessage("recounted", i)
				if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: m.Topic, Key: m.Key, Value: m.Value, Headers: m.Headers}).FirstErr(); err != nil {
					t.Fatal(err)
				}
			}
			cl.Close()
			if tt.tailsRefused {
				refuseListOffsets(c)
			}

			back := newProducer(t, kafkasink.WithBrokers(c.ListenAddrs()...), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
			if err := back.Flush(t.Context()); err != nil { // recovery ends before anything is produced
				t.Fatal(err)
			}
			tt.want.Dir = dir // the spool's directory, which the counts are of
			if got := back.SpoolRecovery(); got != tt.want {
				t.Errorf("SpoolRecovery = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSpoolRecoveryIsZeroWithoutSpool(t *testing.T) {
	p := newProducer(t, kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil))
	if got := p.SpoolRecovery(); got != (kafkasink.SpoolRecovery{}) {
		t.Errorf("SpoolRecovery without a spool = %+v, want zero", got)
	}
}
