package kafkasink_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// TestSpoolRecoveryReleasesRecordsAlreadyOnTheBroker: records an earlier
// process left in the spool, some of which reached the broker before it
// died (produced and acknowledged, the deleting commit never made), are
// checked against the partitions' tails at the next start: those whose
// event ID is on the broker are released, the others produced; every event
// ID ends up on the broker exactly once.
func TestSpoolRecoveryReleasesRecordsAlreadyOnTheBroker(t *testing.T) {
	tests := []struct {
		name       string
		n, onBroke int
	}{
		{"none on the broker", 100, 0},
		{"some on the broker", 100, 37},
		{"all on the broker", 100, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			away, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
			if err != nil {
				t.Fatal(err)
			}
			produceAll(t, away, "recovered", tt.n)
			closeLeaving(t, away, context.Background(), tt.n)

			seeds := otelrelayertest.Cluster(t)
			// What the earlier process delivered before it died: the same
			// records, with their event IDs.
			cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.AllowAutoTopicCreation())
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.onBroke {
				m := spoolMessage("recovered", i)
				if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: m.Topic, Key: m.Key, Value: m.Value, Headers: m.Headers}).FirstErr(); err != nil {
					t.Fatal(err)
				}
			}
			cl.Close()

			back := newProducer(t, kafkasink.WithBrokers(seeds...), kafkasink.WithSpool(dir))
			if err := back.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			records := consume(t, seeds, "recovered", tt.n)
			ids := map[string]int{}
			for _, r := range records {
				ids[string(r.Headers[0].Value)]++
			}
			for i := range tt.n {
				if c := ids[fmt.Sprintf("id-%d", i)]; c != 1 {
					t.Errorf("event id-%d on the broker %d times, want once", i, c)
				}
			}
		})
	}
}
