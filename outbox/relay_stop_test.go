package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// A relay stopped (its context ended: a deploy, SIGTERM) while the broker
// is about to acknowledge its batch lets the acknowledgement arrive and
// deletes the rows: only a relay that dies publishes them again.
func TestStoppedRelayDeletesWhatTheBrokerAcknowledged(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			if err := emitInTx(t.Context(), db, rec, order{Writer: 1, Seq: 1}, keyOf(1), true); err != nil {
				t.Fatal(err)
			}
			sink := &faultSink{delay: 300 * time.Millisecond}
			r, err := outbox.NewRelay(db, b.Dialect, sink, outbox.WithPollInterval(10*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			ran := make(chan error, 1)
			go func() { ran <- r.Run(ctx) }()
			for sink.produceCalls() == 0 {
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
			select {
			case <-ran:
			case <-time.After(20 * time.Second):
				t.Fatal("Run did not return after its context ended")
			}
			if len(sink.acknowledged()) != 1 {
				t.Fatalf("%d acknowledged", len(sink.acknowledged()))
			}
			if n := pendingRows(t, db); n != 0 {
				t.Fatalf("%d acknowledged rows left in the table: the next run publishes them again", n)
			}
		})
	}
}
