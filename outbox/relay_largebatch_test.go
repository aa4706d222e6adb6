package outbox_test

import (
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// A batch larger than PostgreSQL's limit of 65535 bind parameters per
// statement must still be deleted once published; otherwise every retry
// publishes the whole batch again. (modernc's SQLite takes more parameters,
// and 70,000 rows under -race take it 40s: PostgreSQL only.)
func TestBatchLargerThanTheParameterLimitIsDeletedOncePublished(t *testing.T) {
	const rows = 70_000
	for _, b := range outboxtest.Backends()[1:] {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			fill := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < $1)
INSERT INTO relayer_outbox (topic, key, value, headers, event_id, written_us) SELECT 't', NULL, x'7b7d', x'01', 'e' || i, 0 FROM n`
			if b.Dialect == outbox.PostgreSQL {
				fill = `INSERT INTO relayer_outbox (topic, key, value, headers, event_id, written_us) SELECT 't', NULL, '\x7b7d'::bytea, '\x01'::bytea, 'e' || i, 0 FROM generate_series(1, $1::int) i`
			}
			if _, err := db.ExecContext(t.Context(), fill, rows); err != nil {
				t.Fatal(err)
			}
			sink := &faultSink{}
			errs := newErrorLog()
			runRelay(t, db, b.Dialect, sink, outbox.WithBatchSize(rows), outbox.WithRetryBackoff(50*time.Millisecond), outbox.WithErrorHandler(errs.handle))
			deadline := time.Now().Add(60 * time.Second)
			for pendingRows(t, db) != 0 && len(errs.all()) == 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if e := errs.all(); len(e) > 0 {
				t.Fatalf("reported: %v", e[0])
			}
			if n := len(sink.acknowledged()); n != rows {
				t.Fatalf("%d messages published for %d rows", n, rows)
			}
		})
	}
}
