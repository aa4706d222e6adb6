package outbox_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// A committed event reaches Kafka through the relay with the message a
// direct Emit writes: key, JSON body, trace context and event ID, plus the
// outbox's written-at header; nothing is produced directly, and the request
// log lists the event marked as going through the outbox.
func TestCommittedEventIsPublishedWithItsTraceAndID(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			brokers := otelrelayertest.Cluster(t)
			runRelay(t, db, b.Dialect, newSink(t, brokers))

			tx, err := db.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
			if err := bridge.Emit(outbox.WithTx(ctx, tx), eventType, "v1", order{Writer: 1, Seq: 1}, bridge.WithPartitionKey("order-1")); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			span.End()

			if got := rec.Messages(eventType); len(got) != 0 {
				t.Fatalf("the pipeline's sink received %d event messages; the outbox must not produce directly", len(got))
			}
			logs := rec.RequestLogs()
			if len(logs) != 1 || len(logs[0].Lines) != 1 {
				t.Fatalf("request logs: %+v", logs)
			}
			line := logs[0].Lines[0]
			if !line.Outbox || line.EventType != eventType || line.EventID == "" {
				t.Fatalf("the request log line does not say the event went to the outbox: %s", line.Raw)
			}

			recs := newConsumer(t, brokers, eventType).until(20*time.Second, func(r []*kgo.Record) bool { return len(r) >= 1 })
			r := recs[0]
			if string(r.Key) != "order-1" {
				t.Errorf("key %q, want order-1", r.Key)
			}
			var ev wire.Event
			if err := json.Unmarshal(r.Value, &ev); err != nil {
				t.Fatal(err)
			}
			if ev.EventType != eventType || ev.EventSubtype != "v1" || string(ev.Payload) != `{"writer":1,"seq":1}` {
				t.Errorf("event %s", r.Value)
			}
			if got := header(r, wire.EventIDHeader); got != line.EventID {
				t.Errorf("event ID header %q, the request log says %q", got, line.EventID)
			}
			sc := span.SpanContext()
			if got := header(r, wire.TraceparentHeader); !strings.Contains(got, sc.TraceID().String()+"-"+sc.SpanID().String()) {
				t.Errorf("traceparent %q is not the emitting span's (%s)", got, sc.SpanID())
			}
			written, err := time.Parse(time.RFC3339Nano, header(r, wire.OutboxWrittenAtHeader))
			if err != nil || written.After(r.Timestamp.Add(time.Second)) {
				t.Errorf("%s header %q (record time %v): %v", wire.OutboxWrittenAtHeader, header(r, wire.OutboxWrittenAtHeader), r.Timestamp, err)
			}
		})
	}
}

// A rolled-back transaction publishes nothing, ever: a marker committed
// after it arrives alone; its request log line says outbox, not published.
func TestRolledBackEventIsNeverPublished(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			brokers := otelrelayertest.Cluster(t)
			runRelay(t, db, b.Dialect, newSink(t, brokers))

			if err := emitInTx(t.Context(), db, rec, order{Writer: 1, Seq: 1}, "k", false); err != nil {
				t.Fatal(err)
			}
			if err := emitInTx(t.Context(), db, rec, order{Writer: 1, Seq: 2}, "k", true); err != nil {
				t.Fatal(err)
			}
			recs := newConsumer(t, brokers, eventType).until(20*time.Second, func(r []*kgo.Record) bool {
				return len(r) > 0 && decodeOrder(t, r[len(r)-1]).Seq == 2
			})
			if len(recs) != 1 {
				t.Fatalf("%d records before the committed marker; the rolled-back event was published", len(recs)-1)
			}
			waitEmpty(t, db)
			for _, l := range rec.RequestLogs() {
				for _, line := range l.Lines {
					if !line.Outbox {
						t.Errorf("a request log line claims a direct publication: %s", line.Raw)
					}
				}
			}
		})
	}
}

// Emit fails, and produces nothing, when the outbox cannot take the row:
// nil or finished transaction, missing table, database gone.
func TestEmitFailsClearlyWhenTheOutboxCannotTakeTheRow(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			rec := otelrelayertest.New(t)
			emit := func(tx *sql.Tx, opts ...outbox.Option) error {
				ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
				defer span.End()
				return bridge.Emit(outbox.WithTx(ctx, tx, opts...), eventType, "v1", order{})
			}
			db, _ := migrated(t, b)
			begin := func(db *sql.DB) *sql.Tx {
				tx, err := db.BeginTx(t.Context(), nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { tx.Rollback() })
				return tx
			}
			committed := begin(db)
			committed.Commit()
			bare, _ := b.Open(t) // no Migrate
			gone, goneDSN := migrated(t, b)
			goneTx := begin(gone)
			killConnections(t, b, gone, &goneTx, goneDSN)

			cases := []struct {
				name string
				err  func() error
				want error
				text []string
			}{
				{"nil transaction", func() error { return emit(nil) }, outbox.ErrNoTransaction, []string{"nil"}},
				{"finished transaction", func() error { return emit(committed) }, sql.ErrTxDone, []string{"already committed or rolled back"}},
				{"missing table", func() error { return emit(begin(bare)) }, outbox.ErrNoTable, []string{outbox.DefaultTable, "outbox.Migrate"}},
				{"missing custom table", func() error { return emit(begin(db), outbox.WithTable("shop_outbox")) }, outbox.ErrNoTable, []string{"shop_outbox", "outbox.Migrate"}},
				{"invalid table name", func() error { return emit(begin(db), outbox.WithTable("x; DROP")) }, outbox.ErrConfiguration, []string{"x; DROP"}},
				{"database unreachable or refusing", func() error { return emit(goneTx) }, nil, []string{outbox.DefaultTable}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					err := c.err()
					if err == nil || !errors.Is(err, exporter.ErrEventWriter) || (c.want != nil && !errors.Is(err, c.want)) {
						t.Fatalf("Emit: %v, want an error wrapping %v", err, c.want)
					}
					for _, s := range c.text {
						if !strings.Contains(err.Error(), s) {
							t.Errorf("error %q does not say %q", err, s)
						}
					}
				})
			}
			if n := len(rec.Messages(eventType)); n != 0 {
				t.Errorf("%d events produced directly after failed outbox writes", n)
			}
		})
	}
}

// killConnections makes tx's database refuse the insert: PostgreSQL
// terminates every session of it (the server is unreachable for tx);
// SQLite gets a transaction on a read-only connection to the file instead.
func killConnections(t *testing.T, b outboxtest.Backend, db *sql.DB, tx **sql.Tx, dsn string) {
	t.Helper()
	if b.Dialect == outbox.PostgreSQL {
		admin, _ := b.Open(t)
		var name string
		if err := (*tx).QueryRowContext(t.Context(), "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.ExecContext(t.Context(), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name); err != nil {
			t.Fatal(err)
		}
		return
	}
	ro, err := sql.Open("sqlite", dsn+"&mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	if *tx, err = ro.BeginTx(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
}
