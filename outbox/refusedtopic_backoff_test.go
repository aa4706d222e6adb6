package outbox_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// A row that failed for now is produced again only once the retry backoff
// is over, even when the batch that failed it also held a key's events
// alternating between two topics (each produced only once the previous
// one was acknowledged): the relay does not retry the failing topic at
// every topic switch of another key.
func TestAFailedRowWaitsForItsBackoffBehindAKeyAlternatingTopics(t *testing.T) {
	const unavailable = "unavailable_topic"
	const switches = 6
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			var attempts int
			sink := &faultSink{fail: func(_ int, m kafkasink.Message) error {
				if m.Topic == unavailable {
					attempts++ // under the sink's lock
					return fmt.Errorf("producing to %s: %w", m.Topic, kerr.NotEnoughReplicas)
				}
				return nil
			}}
			tx, err := db.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
			for i := range switches {
				typ := eventType
				if i%2 == 1 {
					typ = "order_paid"
				}
				if err := bridge.Emit(outbox.WithTx(ctx, tx), typ, "v1", order{Writer: 1, Seq: i + 1}, bridge.WithPartitionKey(keyOf(1))); err != nil {
					t.Fatal(err)
				}
			}
			if err := bridge.Emit(outbox.WithTx(ctx, tx), unavailable, "v1", order{Writer: 2, Seq: 1}, bridge.WithPartitionKey(keyOf(2))); err != nil {
				t.Fatal(err)
			}
			span.End()
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			runRelay(t, db, b.Dialect, sink, outbox.WithRetryBackoff(time.Hour))
			deadline := time.Now().Add(10 * time.Second)
			for len(sink.acknowledged()) < switches {
				if time.Now().After(deadline) {
					t.Fatalf("%d of the %d alternating events published", len(sink.acknowledged()), switches)
				}
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond) // any further batch, claimed meanwhile
			sink.mu.Lock()
			got := attempts
			sink.mu.Unlock()
			if got != 1 {
				t.Errorf("the row of %s was produced %d times within its hour of backoff, want 1", unavailable, got)
			}
		})
	}
}
