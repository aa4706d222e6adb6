package outbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	_ "modernc.org/sqlite"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
)

// Emit inside a transaction: the event becomes a row of the outbox table,
// published by the relay once the transaction commits, and never if it
// rolls back.
func ExampleWithTx() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "outbox-example")
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "shop.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := outbox.Migrate(ctx, db, outbox.SQLite); err != nil {
		log.Fatal(err)
	}

	// The usual pipeline (here on an in-memory sink).
	p, err := exporter.New("logging", otelrelayertest.NewSink(), exporter.WithoutEnvironment())
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
	defer tp.Shutdown(ctx)

	for _, commit := range []bool{true, false} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			log.Fatal(err)
		}
		ctx, span := tp.Tracer("shop").Start(ctx, "POST /orders")
		err = bridge.Emit(outbox.WithTx(ctx, tx), "order_created", "v1", map[string]int{"id": 42})
		if err == nil && commit {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
		span.End()
		if err != nil {
			log.Fatal(err)
		}
	}
	var n int
	db.QueryRowContext(ctx, "SELECT count(*) FROM "+outbox.DefaultTable).Scan(&n)
	fmt.Println("rows waiting for the relay:", n)
	// Output: rows waiting for the relay: 1
}
