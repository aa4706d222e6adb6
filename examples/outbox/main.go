// Command outbox shows the transactional outbox: an HTTP handler inserts an
// order and emits order_created in one database transaction; a request that
// fails after the emit rolls back, and its event is never published. A relay
// publishes the committed events.
//
//	go run ./outbox                                  # SQLite in a temporary file, embedded broker
//	OUTBOX_DSN=postgres://app@localhost/shop go run ./outbox   # PostgreSQL
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/pgnotify"
)

func main() {
	dsn := flag.String("dsn", os.Getenv("OUTBOX_DSN"), "a postgres:// URL; empty: SQLite in a temporary file")
	flag.Parse()
	ctx := context.Background()
	brokers, stop, err := demo.Brokers()
	if err == nil {
		defer stop()
		err = run(ctx, brokers, *dsn, os.Stdout)
	}
	if err == nil {
		fmt.Println()
		err = demo.PrintTopics(ctx, brokers, "order_created", "logging")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "outbox:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, brokers []string, dsn string, out io.Writer) error {
	db, dialect, cleanup, err := openDB(dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := outbox.Migrate(ctx, db, dialect); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS orders (id BIGINT PRIMARY KEY, item TEXT NOT NULL)"); err != nil {
		return err
	}

	tp, _, err := demo.Install(brokers, "shop")
	if err != nil {
		return err
	}
	defer func() { _ = tp.Shutdown(context.Background()) }()

	// The relay, in the service here (cmd/relayer-outbox runs it alone).
	sinkOpts := []kafkasink.Option{kafkasink.WithBrokers(brokers...)}
	if os.Getenv("KAFKA_BROKERS") == "" {
		sinkOpts = append(sinkOpts, kafkasink.WithoutEnvironment())
	}
	sink, err := kafkasink.New(sinkOpts...)
	if err != nil {
		return err
	}
	defer sink.Close(context.Background())
	relayOpts := []outbox.RelayOption{outbox.WithPollInterval(50 * time.Millisecond)}
	if dialect == outbox.PostgreSQL {
		relayOpts = append(relayOpts, outbox.WithNotifier(pgnotify.New(db, "")))
	}
	relay, err := outbox.NewRelay(db, dialect, sink, relayOpts...)
	if err != nil {
		return err
	}
	relayCtx, stopRelay := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = relay.Run(relayCtx) })
	defer func() { stopRelay(); wg.Wait() }()

	srv := httptest.NewServer(bridge.HTTPHandler(http.HandlerFunc(createOrder(db))))
	defer srv.Close()
	base := time.Now().UnixMilli() % 1_000_000 * 10 // order IDs of this run
	for i, item := range []string{"book", "lamp", "broken"} {
		resp, err := http.Post(srv.URL+"/orders?id="+strconv.FormatInt(base+int64(i), 10)+"&item="+item, "", nil)
		if err != nil {
			return err
		}
		resp.Body.Close()
		fmt.Fprintf(out, "POST /orders item=%s → %d\n", item, resp.StatusCode)
	}
	return waitEmpty(ctx, db)
}

// createOrder inserts the order and emits order_created in one transaction.
// An item named "broken" fails after the emit: the transaction rolls back,
// the order and its event with it.
func createOrder(db *sql.DB) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, _ := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
		item := r.URL.Query().Get("item")
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		defer tx.Rollback() // after Commit, a no-op
		if _, err := tx.ExecContext(ctx, "INSERT INTO orders (id, item) VALUES ($1, $2)", id, item); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		order := map[string]any{"id": id, "item": item}
		if err := bridge.Emit(outbox.WithTx(ctx, tx), "order_created", "web", order, bridge.WithPartitionKey(strconv.FormatInt(id, 10))); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if item == "broken" { // a failure after the emit: roll back
			_ = bridge.Log(ctx, "error", map[string]any{"msg": "payment refused, order rolled back", "id": id})
			http.Error(w, "payment refused", http.StatusPaymentRequired)
			return
		}
		if err := tx.Commit(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}
}

// openDB opens dsn (PostgreSQL) or a SQLite file in a temporary directory.
func openDB(dsn string) (*sql.DB, outbox.Dialect, func(), error) {
	if dsn != "" {
		if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
			return nil, 0, nil, fmt.Errorf("OUTBOX_DSN %q: want a postgres:// URL (leave it empty for SQLite)", dsn)
		}
		db, err := sql.Open("pgx", dsn)
		return db, outbox.PostgreSQL, func() { db.Close() }, err
	}
	dir, err := os.MkdirTemp("", "outbox-example")
	if err != nil {
		return nil, 0, nil, err
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "shop.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	return db, outbox.SQLite, func() { db.Close(); os.RemoveAll(dir) }, err
}

// waitEmpty waits until the relay published every committed event.
func waitEmpty(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+outbox.DefaultTable+" WHERE failed_us IS NULL").Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.New("the relay did not publish every committed event within 30s")
		case <-time.After(20 * time.Millisecond):
		}
	}
}
