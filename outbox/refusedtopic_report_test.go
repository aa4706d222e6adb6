package outbox_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// The report of the rows kept for a retry names every topic they are on
// and how many rows were kept, not only the topics of the first few rows:
// a second unavailable topic, behind many rows of the first, is named too.
func TestTheKeptRowsReportNamesEveryTopicKept(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			sink := &faultSink{fail: func(_ int, m kafkasink.Message) error {
				if strings.HasPrefix(m.Topic, "unavailable_") {
					return fmt.Errorf("producing to %s: %w", m.Topic, kerr.NotEnoughReplicas)
				}
				return nil
			}}
			tx, err := db.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
			topics := []string{"unavailable_a", "unavailable_a", "unavailable_a", "unavailable_a", "unavailable_b"}
			for i, topic := range topics {
				if err := bridge.Emit(outbox.WithTx(ctx, tx), topic, "v1", order{Writer: i, Seq: 1}, bridge.WithPartitionKey(keyOf(i))); err != nil {
					t.Fatal(err)
				}
			}
			span.End()
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			errs := newErrorLog()
			runRelay(t, db, b.Dialect, sink, outbox.WithRetryBackoff(time.Hour), outbox.WithErrorHandler(errs.handle))
			select {
			case <-errs.seen:
			case <-time.After(10 * time.Second):
				t.Fatal("no report of the rows kept")
			}
			report := errs.all()[0].Error()
			for _, want := range []string{`"unavailable_a"`, `"unavailable_b"`, "5 rows"} {
				if !strings.Contains(report, want) {
					t.Errorf("the report %q does not name %s", report, want)
				}
			}
		})
	}
}
