// Command relayer-outbox publishes the committed rows of an otelrelayer
// outbox table to Kafka, as its own process:
//
//	OUTBOX_DSN=postgres://app@db:5432/shop KAFKA_BROKERS=kafka:9092 relayer-outbox
//	OUTBOX_DSN=/var/lib/shop/shop.db KAFKA_BROKERS=kafka:9092 relayer-outbox -migrate
//
// OUTBOX_DSN (or -dsn) is a PostgreSQL URL (postgres:// or postgresql://,
// through pgx; LISTEN/NOTIFY wakes the relay) or a SQLite file path or
// file: URI (through modernc.org/sqlite; WAL and a busy timeout are added
// to a bare path). OUTBOX_TABLE (or -table) names the table, default
// relayer_outbox. The KAFKA_* variables of kafkasink configure the producer
// (KAFKA_BROKERS, TLS, SASL). SIGINT or SIGTERM stops it: it waits up to
// 5s for the broker's answers about the rows in flight and deletes the
// acknowledged ones; the others stay in the table for the next run.
//
// From a checkout: cd outbox && go install ./cmd/relayer-outbox (the outbox
// module replaces the library with its checkout until it is published).
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/pgnotify"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "relayer-outbox:", err)
		os.Exit(1)
	}
}

// run is the command; it returns when ctx ends or on a configuration error.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("relayer-outbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("dsn", getenv("OUTBOX_DSN"), "database: a postgres:// URL or a SQLite file (default $OUTBOX_DSN)")
	table := fs.String("table", getenv("OUTBOX_TABLE"), "outbox table (default $OUTBOX_TABLE, else "+outbox.DefaultTable+")")
	migrate := fs.Bool("migrate", false, "create the table first when missing")
	spool := fs.String("spool", "", "produce through a disk spool in this directory (kafkasink.WithSpool)")
	batch := fs.Int("batch", outbox.DefaultBatchSize, "rows claimed at once")
	poll := fs.Duration("poll", outbox.DefaultPollInterval, "wait between looks at an empty table (PostgreSQL: fallback to LISTEN/NOTIFY)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dsn == "" {
		return errors.New("no database: set OUTBOX_DSN or -dsn (a postgres:// URL or a SQLite file)")
	}
	driver, dialect, source := openArgs(*dsn)
	db, err := sql.Open(driver, source)
	if err != nil {
		return fmt.Errorf("opening the %s database: %w", dialect, err)
	}
	defer db.Close()
	if *migrate {
		if err := outbox.Migrate(ctx, db, dialect, outbox.WithTable(*table)); err != nil {
			return err
		}
	}
	var sinkOpts []kafkasink.Option
	if *spool != "" {
		sinkOpts = append(sinkOpts, kafkasink.WithSpool(*spool))
	}
	sink, err := kafkasink.New(sinkOpts...) // KAFKA_* from the environment
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sink.Close(closeCtx); err != nil {
			fmt.Fprintln(stderr, "relayer-outbox: closing the producer:", err)
		}
	}()
	opts := []outbox.RelayOption{
		outbox.WithTable(*table), outbox.WithBatchSize(*batch), outbox.WithPollInterval(*poll),
		outbox.WithErrorHandler(func(err error) { fmt.Fprintln(stderr, "relayer-outbox:", err) }),
	}
	if dialect == outbox.PostgreSQL {
		opts = append(opts, outbox.WithNotifier(pgnotify.New(db, *table)))
	}
	r, err := outbox.NewRelay(db, dialect, sink, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "relayer-outbox: publishing the rows of %s (%s)\n", orDefault(*table), dialect)
	if err := r.Run(ctx); !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// openArgs tells the driver and dialect of dsn; a bare SQLite path gets WAL
// and a busy timeout, so that the application's writers and the relay wait
// for each other instead of failing.
func openArgs(dsn string) (driver string, dialect outbox.Dialect, source string) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "pgx", outbox.PostgreSQL, dsn
	}
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
	}
	return "sqlite", outbox.SQLite, dsn
}

func orDefault(table string) string {
	if table == "" {
		return outbox.DefaultTable
	}
	return table
}
