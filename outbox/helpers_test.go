package outbox_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" { // a relay process of the SIGKILL test
		os.Exit(runChildRelay())
	}
	os.Exit(outboxtest.Main(m))
}

// eventType is the event type (and topic) the tests emit.
const eventType = "order_created"

// order is the payload the tests emit: Seq orders the events of one writer.
type order struct {
	Writer int `json:"writer"`
	Seq    int `json:"seq"`
}

// migrated opens a fresh database of b with the outbox table.
func migrated(t *testing.T, b outboxtest.Backend, opts ...outbox.Option) (*sql.DB, string) {
	t.Helper()
	db, dsn := b.Open(t)
	if err := outbox.Migrate(t.Context(), db, b.Dialect, opts...); err != nil {
		t.Fatal(err)
	}
	return db, dsn
}

// emitInTx commits (or rolls back) one transaction that emits one event,
// inside a request span of rec.
func emitInTx(ctx context.Context, db *sql.DB, rec *otelrelayertest.Recorder, o order, key string, commit bool) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	ctx, span := rec.Tracer().Start(ctx, "POST /orders")
	defer span.End()
	if err := bridge.Emit(outbox.WithTx(ctx, tx), eventType, "v1", o, bridge.WithPartitionKey(key)); err != nil {
		tx.Rollback()
		return err
	}
	if !commit {
		return tx.Rollback()
	}
	return tx.Commit()
}

// newSink is a producer on brokers, with the library's defaults.
func newSink(t testing.TB, brokers []string, opts ...kafkasink.Option) kafkasink.Sink {
	t.Helper()
	sink, err := kafkasink.New(append([]kafkasink.Option{kafkasink.WithBrokers(brokers...), kafkasink.WithoutEnvironment()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sink.Close(ctx)
	})
	return sink
}

// runRelay runs a relay, with the defaults unless opts say otherwise, until
// t ends.
func runRelay(t testing.TB, db *sql.DB, d outbox.Dialect, sink kafkasink.Sink, opts ...outbox.RelayOption) {
	t.Helper()
	r, err := outbox.NewRelay(db, d, sink, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// consumer reads a topic from its start.
type consumer struct {
	t  testing.TB
	cl *kgo.Client
}

func newConsumer(t testing.TB, brokers []string, topic string) *consumer {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &consumer{t: t, cl: cl}
}

// until polls records until done says so, failing the test after within.
func (c *consumer) until(within time.Duration, done func(recs []*kgo.Record) bool) []*kgo.Record {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), within)
	defer cancel()
	var recs []*kgo.Record
	for !done(recs) {
		fs := c.cl.PollFetches(ctx)
		if ctx.Err() != nil {
			c.t.Fatalf("after %v, %d records and still waiting", within, len(recs))
		}
		fs.EachRecord(func(r *kgo.Record) { recs = append(recs, r) })
	}
	return recs
}

func decodeOrder(t testing.TB, r *kgo.Record) order {
	t.Helper()
	var e struct {
		Payload order `json:"payload"`
	}
	if err := json.Unmarshal(r.Value, &e); err != nil {
		t.Fatalf("record %q: %v", r.Value, err)
	}
	return e.Payload
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func pendingRows(t testing.TB, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM "+outbox.DefaultTable+" WHERE failed_us IS NULL").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func keyOf(writer int) string { return fmt.Sprintf("writer-%d", writer) }

// waitEmpty waits until the relay deleted every pending row.
func waitEmpty(t testing.TB, db *sql.DB) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for n := pendingRows(t, db); n != 0; n = pendingRows(t, db) {
		if time.Now().After(deadline) {
			t.Fatalf("%d rows still pending in the outbox", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
