package outbox_test

import (
	"database/sql"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// errorLog collects what a relay reports.
type errorLog struct {
	mu   sync.Mutex
	errs []error
	seen chan struct{} // one send per error, never blocking
}

func newErrorLog() *errorLog { return &errorLog{seen: make(chan struct{}, 1000)} }

func (l *errorLog) handle(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
	select {
	case l.seen <- struct{}{}:
	default:
	}
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// firstAppearances checks that recs hold every (writer, seq) with seq in
// 1..perWriter and that each writer's events first appear in order.
func firstAppearances(t *testing.T, recs []*kgo.Record, writers, perWriter int) {
	t.Helper()
	seen := map[order]bool{}
	last := map[int]int{}
	for _, r := range recs {
		o := decodeOrder(t, r)
		if seen[o] {
			continue
		}
		seen[o] = true
		if o.Seq != last[o.Writer]+1 {
			t.Errorf("writer %d: seq %d first appeared after seq %d", o.Writer, o.Seq, last[o.Writer])
		}
		last[o.Writer] = o.Seq
	}
	if len(seen) != writers*perWriter {
		t.Errorf("%d distinct events published, want %d", len(seen), writers*perWriter)
	}
}

// With Kafka down for longer than the delivery timeout, commits go on
// (they never wait on Kafka), rows accumulate, and once Kafka returns every
// event is published, each key in order.
func TestKafkaDownLongerThanDeliveryTimeoutKeepsRowsAndPublishesInOrder(t *testing.T) {
	const writers, perWriter = 8, 15
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			port := freePort(t)
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			errs := newErrorLog()
			runRelay(t, db, b.Dialect, newSink(t, []string{addr}, kafkasink.WithDeliveryTimeout(time.Second)), outbox.WithErrorHandler(errs.handle))

			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					for seq := 1; seq <= perWriter; seq++ {
						if err := emitInTx(t.Context(), db, rec, order{Writer: w, Seq: seq}, keyOf(w), true); err != nil {
							t.Errorf("commit while Kafka is down: %v", err)
							return
						}
					}
				})
			}
			wg.Wait()
			for len(errs.all()) < 2 { // two batches outlived the delivery timeout
				<-errs.seen
			}
			if n := pendingRows(t, db); n != writers*perWriter {
				t.Fatalf("%d rows pending while Kafka is down, want %d", n, writers*perWriter)
			}
			for _, err := range errs.all() {
				if !strings.Contains(err.Error(), "kept, retried") {
					t.Errorf("reported while Kafka is down: %v", err)
				}
			}

			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3), kfake.Ports(port))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			recs := newConsumer(t, []string{addr}, eventType).until(60*time.Second, func(r []*kgo.Record) bool { return countDistinct(r) >= writers*perWriter })
			firstAppearances(t, recs, writers, perWriter)
			waitEmpty(t, db)
		})
	}
}

// A row the broker refuses for good is moved aside with the reason and
// reported; the row behind it, of the same key, is published.
func TestRowRefusedForGoodIsMovedAsideWithoutBlockingTheNext(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			brokers := otelrelayertest.Cluster(t)
			errs := newErrorLog()
			// The producer takes batches of at most 2 KiB: a larger event
			// is refused with MESSAGE_TOO_LARGE, for good.
			sink := newSink(t, brokers, kafkasink.WithClientOptions(kgo.ProducerBatchMaxBytes(2048)))
			runRelay(t, db, b.Dialect, sink, outbox.WithErrorHandler(errs.handle))

			big := struct {
				order
				Blob string `json:"blob"`
			}{order{Writer: 1, Seq: 1}, strings.Repeat("x", 4096)}
			tx, err := db.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
			if err := bridge.Emit(outbox.WithTx(ctx, tx), eventType, "v1", big, bridge.WithPartitionKey(keyOf(1))); err != nil {
				t.Fatal(err)
			}
			span.End()
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := emitInTx(t.Context(), db, rec, order{Writer: 1, Seq: 2}, keyOf(1), true); err != nil {
				t.Fatal(err)
			}
			recs := newConsumer(t, brokers, eventType).until(20*time.Second, func(r []*kgo.Record) bool { return len(r) >= 1 })
			if o := decodeOrder(t, recs[0]); o.Seq != 2 {
				t.Fatalf("published %+v first, want the event behind the refused one", o)
			}
			waitEmpty(t, db)
			var failure string
			if err := db.QueryRowContext(t.Context(), "SELECT failure FROM "+outbox.DefaultTable+" WHERE failed_us IS NOT NULL").Scan(&failure); err != nil {
				t.Fatalf("the refused row was not kept aside: %v", err)
			}
			if !strings.Contains(failure, "MESSAGE_TOO_LARGE") {
				t.Errorf("failure %q does not give the broker's reason", failure)
			}
			var refused []error
			for _, err := range errs.all() {
				if errors.Is(err, outbox.ErrRefused) {
					refused = append(refused, err)
				}
			}
			if len(refused) != 1 || !strings.Contains(refused[0].Error(), eventType) {
				t.Errorf("reported: %v, want one ErrRefused naming the topic", errs.all())
			}
		})
	}
}

// A relay whose database is unreachable, or whose table is missing, says so
// through its error handler, naming the table, and keeps trying.
func TestRelayReportsAnUnreachableDatabaseOrMissingTable(t *testing.T) {
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			brokers := otelrelayertest.Cluster(t)
			bare, _ := b.Open(t) // no Migrate
			// Nothing listens on the port; no directory holds the file.
			dsn := "postgres://postgres@127.0.0.1:" + strconv.Itoa(freePort(t)) + "/none?sslmode=disable&connect_timeout=5"
			if b.Dialect == outbox.SQLite {
				dsn = outboxtest.SQLiteDSN(t.TempDir() + "/missing/dir/outbox.db")
			}
			unreachable, err := sql.Open(b.DriverName(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { unreachable.Close() })
			for name, db := range map[string]*sql.DB{"missing table": bare, "unreachable database": unreachable} {
				t.Run(name, func(t *testing.T) {
					errs := newErrorLog()
					runRelay(t, db, b.Dialect, newSink(t, brokers), outbox.WithErrorHandler(errs.handle))
					<-errs.seen
					err := errs.all()[0]
					if !strings.Contains(err.Error(), outbox.DefaultTable) {
						t.Errorf("reported %q, which does not name the table", err)
					}
					if name == "missing table" && (!errors.Is(err, outbox.ErrNoTable) || !strings.Contains(err.Error(), "outbox.Migrate")) {
						t.Errorf("reported %q, want ErrNoTable and the fix", err)
					}
				})
			}
		})
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
