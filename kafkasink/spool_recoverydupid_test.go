package kafkasink_test

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestSpoolRecoveryCountsEveryRecordSharingAnEventID: Recovered is the
// records an earlier process left in the spool, not the distinct event IDs
// among them. Two records with the same relayer-event-id (a message given
// twice, an outbox's redelivery) are two records recovered.
func TestSpoolRecoveryCountsEveryRecordSharingAnEventID(t *testing.T) {
	dir := t.TempDir()
	away, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	produceAll(t, away, "twice", 10)
	away.Produce(t.Context(), spoolMessage("twice", 3), nil) // id-3 again
	closeLeaving(t, away, context.Background(), 11)

	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	back := newProducer(t, kafkasink.WithBrokers(c.ListenAddrs()...), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err := back.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := back.SpoolRecovery(), (kafkasink.SpoolRecovery{Dir: dir, Recovered: 11}); got != want {
		t.Errorf("SpoolRecovery = %+v, want %+v", got, want)
	}
}
