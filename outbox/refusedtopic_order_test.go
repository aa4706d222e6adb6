package outbox_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// Two events of one key on two topics (two event types of one order),
// emitted in one transaction: while the first's topic is unavailable (a
// retriable failure: the relay keeps the row and retries it), the second
// waits with it and is published after it, as the order per key promises,
// and the report names the topic to look at.
func TestAKeysEventOnAnotherTopicWaitsBehindAnUnavailableTopic(t *testing.T) {
	const unavailable, later = "order_created", "order_paid"
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			var failing atomic.Bool
			failing.Store(true)
			// Answers come later, from another goroutine, as a broker's do:
			// the first row's failure arrives after the second was produced.
			sink := &faultSink{delay: 50 * time.Millisecond, fail: func(_ int, m kafkasink.Message) error {
				if failing.Load() && m.Topic == unavailable {
					return fmt.Errorf("producing to %s: %w", m.Topic, kerr.NotEnoughReplicas)
				}
				return nil
			}}
			errs := newErrorLog()
			runRelay(t, db, b.Dialect, sink, outbox.WithErrorHandler(errs.handle))
			tx, err := db.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
			for _, typ := range []string{unavailable, later} {
				if err := bridge.Emit(outbox.WithTx(ctx, tx), typ, "v1", order{Writer: 1, Seq: 1}, bridge.WithPartitionKey(keyOf(1))); err != nil {
					t.Fatal(err)
				}
			}
			span.End()
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-errs.seen: // the failure, reported
			case <-time.After(10 * time.Second):
				t.Fatalf("no failure reported; %d rows pending", pendingRows(t, db))
			}
			time.Sleep(1500 * time.Millisecond) // past a retry backoff
			for _, err := range errs.all() {    // the operator learns which topic to look at
				if !strings.Contains(err.Error(), `topic "`+unavailable+`"`) {
					t.Errorf("reported: %v, want the unavailable topic named", err)
				}
			}
			if got := sink.acknowledged(); len(got) != 0 {
				t.Errorf("published %s while %s, emitted before it with the same key, was unavailable", got[0].Topic, unavailable)
			}
			failing.Store(false) // the replicas are back
			waitEmpty(t, db)
			if got := sink.acknowledged(); len(got) != 2 || got[0].Topic != unavailable || got[1].Topic != later {
				t.Errorf("published %+v, want %s, then %s", got, unavailable, later)
			}
		})
	}
}
