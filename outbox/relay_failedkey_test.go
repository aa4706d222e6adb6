package outbox_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// A row of a key that fails for now (a full buffer) is kept and retried;
// the row behind it, of the same key, must not be published before it.
func TestRowFailedForNowHoldsBackItsKey(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			for seq := 1; seq <= 3; seq++ {
				if err := emitInTx(t.Context(), db, rec, order{Writer: 1, Seq: seq}, keyOf(1), true); err != nil {
					t.Fatal(err)
				}
			}
			sink := &faultSink{fail: func(call int, _ kafkasink.Message) error {
				if call == 1 {
					return fmt.Errorf("%w: test", kafkasink.ErrBufferFull)
				}
				return nil
			}}
			runRelay(t, db, b.Dialect, sink, outbox.WithRetryBackoff(20*time.Millisecond), outbox.WithErrorHandler(func(error) {}))
			waitEmpty(t, db)
			var got []int
			for _, m := range sink.acknowledged() {
				got = append(got, decodeOrderValue(t, m.Value).Seq)
			}
			if fmt.Sprint(got) != "[1 2 3]" {
				t.Fatalf("published seqs %v, want [1 2 3]", got)
			}
		})
	}
}
