package outbox_test

import (
	"errors"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// One topic whose partition stays unavailable (or a topic missing where
// auto-creation is off: a retriable error) must not stop the events of the
// other topics: here its backlog is larger than a batch.
func TestStuckTopicDoesNotStallTheOthers(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			tx, err := db.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
			// Key k's first event is stuck: its second, on a healthy
			// topic, must wait for it.
			if err := bridge.Emit(outbox.WithTx(ctx, tx), "stuck_topic", "v1", order{Seq: 1}, bridge.WithPartitionKey("k")); err != nil {
				t.Fatal(err)
			}
			for i := range 4 {
				if err := bridge.Emit(outbox.WithTx(ctx, tx), "stuck_topic", "v1", order{Seq: i}); err != nil {
					t.Fatal(err)
				}
			}
			if err := bridge.Emit(outbox.WithTx(ctx, tx), eventType, "v1", order{Seq: 2}, bridge.WithPartitionKey("k")); err != nil {
				t.Fatal(err)
			}
			if err := bridge.Emit(outbox.WithTx(ctx, tx), eventType, "v1", order{Seq: 99}); err != nil {
				t.Fatal(err)
			}
			span.End()
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			sink := &faultSink{fail: func(_ int, m kafkasink.Message) error {
				if m.Topic == "stuck_topic" {
					return errors.New("NOT_LEADER_FOR_PARTITION: retriable")
				}
				return nil
			}}
			runRelay(t, db, b.Dialect, sink, outbox.WithBatchSize(3), outbox.WithRetryBackoff(10*time.Millisecond), outbox.WithErrorHandler(func(error) {}))
			deadline := time.Now().Add(5 * time.Second)
			for len(sink.acknowledged()) == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("the %s event behind %d rows of a stuck topic was never published (%d produce calls)", eventType, 4, sink.produceCalls())
				}
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond) // a few more passes
			for _, m := range sink.acknowledged() {
				if string(m.Key) == "k" {
					t.Fatalf("key k's second event was published while its first is stuck: %s", m.Value)
				}
			}
		})
	}
}
