package kafkasink_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// TestSpoolRecoveryEndsAtAControlRecord: recovery reads each partition's
// tail up to the high watermark. When another producer writes the topic in
// transactions, the last offset below the watermark is a commit marker, a
// control record the consumer never returns: recovery must still end, and
// the spooled records must be delivered, once each.
func TestSpoolRecoveryEndsAtAControlRecord(t *testing.T) {
	const n = 20
	dir := t.TempDir()
	away, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	produceAll(t, away, "recovered-txn", n)
	closeLeaving(t, away, context.Background(), n)

	seeds := otelrelayertest.Cluster(t)
	tx, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.AllowAutoTopicCreation(), kgo.TransactionalID("other-producer"),
		kgo.DefaultProduceTopic("recovered-txn"), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	// The first spooled record, already delivered by the earlier process,
	// and a record of the other producer, in one partition.
	m := spoolMessage("recovered-txn", 0)
	for _, r := range []*kgo.Record{{Value: m.Value, Headers: m.Headers}, {Value: []byte("other")}} {
		if err := tx.ProduceSync(t.Context(), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.EndTransaction(t.Context(), kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	tx.Close()

	back := newProducer(t, kafkasink.WithBrokers(seeds...), kafkasink.WithSpool(dir))
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	if err := back.Flush(ctx); err != nil {
		t.Fatalf("Flush after recovery: %v", err)
	}
	records := consume(t, seeds, "recovered-txn", n+1)
	ids := map[string]int{}
	for _, r := range records {
		if len(r.Headers) > 0 {
			ids[string(r.Headers[0].Value)]++
		}
	}
	for i := range n {
		if c := ids[string(spoolMessage("", i).Headers[0].Value)]; c != 1 {
			t.Errorf("event %d on the broker %d times, want once", i, c)
		}
	}
	if len(ids) != n {
		t.Errorf("%d distinct event IDs on the broker, want %d", len(ids), n)
	}
}

// seedRecord produces one record without event ID to topic.
func seedRecord(t *testing.T, seeds []string, topic string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: topic, Value: []byte("other")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
}
