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

// A topic that stays unavailable (a retriable error: not enough replicas)
// keeps its rows for retry, but the events of the other topics, committed
// while its rows wait for their retry, are published as they come, not once
// the retry is due (here an hour away): two events of one key on two topics
// too, the second one produced only after the first one was acknowledged.
func TestOtherTopicsArePublishedWhileATopicWaitsForItsRetry(t *testing.T) {
	const refused = "unavailable_topic"
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			sink := &faultSink{fail: func(_ int, m kafkasink.Message) error {
				if m.Topic == refused {
					return fmt.Errorf("producing to %s: %w", m.Topic, kerr.NotEnoughReplicas)
				}
				return nil
			}}
			errs := newErrorLog()
			runRelay(t, db, b.Dialect, sink, outbox.WithRetryBackoff(time.Hour), outbox.WithErrorHandler(errs.handle))
			tx, err := db.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
			if err := bridge.Emit(outbox.WithTx(ctx, tx), refused, "v1", order{Writer: 2, Seq: 1}, bridge.WithPartitionKey(keyOf(2))); err != nil {
				t.Fatal(err)
			}
			span.End()
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			<-errs.seen                        // the failure, reported: the row waits for its retry
			time.Sleep(300 * time.Millisecond) // the relay is past the end of the table
			// One key, two event types (two topics) in one transaction.
			tx, err = db.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, span = rec.Tracer().Start(t.Context(), "POST /orders")
			for _, typ := range []string{eventType, "order_paid"} {
				if err := bridge.Emit(outbox.WithTx(ctx, tx), typ, "v1", order{Writer: 1, Seq: 1}, bridge.WithPartitionKey(keyOf(1))); err != nil {
					t.Fatal(err)
				}
			}
			span.End()
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for len(sink.acknowledged()) < 2 {
				if time.Now().After(deadline) {
					t.Fatalf("the events committed after a row of %s was refused are still unpublished (%d produce calls)", refused, sink.produceCalls())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if got := sink.acknowledged(); len(got) != 2 || got[0].Topic != eventType || got[1].Topic != "order_paid" {
				t.Errorf("published %+v, want the %s event, then the order_paid one", got, eventType)
			}
		})
	}
}
