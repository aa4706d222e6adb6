package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
	"github.com/otelrelayer/otelrelayer/outbox/pgnotify"
	"github.com/otelrelayer/otelrelayer/wire"
)

type measurement struct {
	eventsPerS             float64
	delayP50ms, delayP99ms float64
}

// openDatabase opens a fresh database (a new file, or a new PostgreSQL
// database) with the outbox and orders tables.
func openDatabase(ctx context.Context, backend string, pg *outboxtest.Server, n int) (*sql.DB, outbox.Dialect, func(), error) {
	var db *sql.DB
	var dialect outbox.Dialect
	cleanup := func() {}
	switch backend {
	case "sqlite":
		dir, err := os.MkdirTemp("", "outboxbench")
		if err != nil {
			return nil, 0, nil, err
		}
		if db, err = sql.Open("sqlite", outboxtest.SQLiteDSN(filepath.Join(dir, "bench.db"))); err != nil {
			return nil, 0, nil, err
		}
		dialect, cleanup = outbox.SQLite, func() { os.RemoveAll(dir) }
	case "postgresql", "postgresql_polling":
		dsn, err := pg.CreateDatabase(ctx, "bench"+strconv.Itoa(n))
		if err != nil {
			return nil, 0, nil, err
		}
		if db, err = sql.Open("pgx", dsn); err != nil {
			return nil, 0, nil, err
		}
		db.SetMaxIdleConns(32)
		dialect = outbox.PostgreSQL
	default:
		return nil, 0, nil, fmt.Errorf("-backends: unknown %q (sqlite, postgresql, postgresql_polling)", backend)
	}
	var opts []outbox.Option
	if backend == "postgresql_polling" {
		opts = append(opts, outbox.WithoutNotifyTrigger())
	}
	if err := outbox.Migrate(ctx, db, dialect, opts...); err != nil {
		db.Close()
		return nil, 0, nil, err
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE orders (id BIGINT PRIMARY KEY, item TEXT NOT NULL)"); err != nil {
		db.Close()
		return nil, 0, nil, err
	}
	return db, dialect, func() { db.Close(); cleanup() }, nil
}

// ackSink passes messages to a producer and records, for each one the
// broker acknowledged, how long after its outbox write that was.
type ackSink struct {
	kafkasink.Sink
	mu     sync.Mutex
	delays []time.Duration
	acked  atomic.Int64
}

func (s *ackSink) Produce(ctx context.Context, m kafkasink.Message, done func(error)) {
	var written time.Time
	for _, h := range m.Headers {
		if h.Key == wire.OutboxWrittenAtHeader {
			written, _ = time.Parse(time.RFC3339Nano, string(h.Value))
		}
	}
	s.Sink.Produce(ctx, m, func(err error) {
		if err == nil {
			s.acked.Add(1)
			if !written.IsZero() {
				d := time.Since(written)
				s.mu.Lock()
				s.delays = append(s.delays, d)
				s.mu.Unlock()
			}
		}
		done(err)
	})
}

// measure runs requests and returns the events per second until every event
// was acknowledged by the broker (for the outbox: published by the relay).
func measure(ctx context.Context, brokers []string, db *sql.DB, dialect outbox.Dialect, notify, viaOutbox bool, requests, concurrency int) (measurement, error) {
	producer, err := kafkasink.New(kafkasink.WithBrokers(brokers...), kafkasink.WithoutEnvironment())
	if err != nil {
		return measurement{}, err
	}
	sink := &ackSink{Sink: producer}
	defer producer.Close(context.Background())
	p, err := exporter.New("logging", sink, exporter.WithoutEnvironment(), exporter.WithoutDefault())
	if err != nil {
		return measurement{}, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(p))
	defer tp.Shutdown(context.Background())
	tracer := tp.Tracer("outboxbench")

	relayCtx, stopRelay := context.WithCancel(ctx)
	var relayWG sync.WaitGroup
	defer func() { stopRelay(); relayWG.Wait() }()
	if viaOutbox {
		opts := []outbox.RelayOption{}
		if notify {
			opts = append(opts, outbox.WithNotifier(pgnotify.New(db, "")))
		}
		relay, err := outbox.NewRelay(db, dialect, sink, opts...)
		if err != nil {
			return measurement{}, err
		}
		relayWG.Go(func() { _ = relay.Run(relayCtx) })
	}

	var next atomic.Int64
	var failed atomic.Pointer[error]
	start := time.Now()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for {
				id := next.Add(1)
				if id > int64(requests) || failed.Load() != nil {
					return
				}
				if err := request(ctx, db, tracer, id, viaOutbox); err != nil {
					failed.Store(&err)
					return
				}
			}
		})
	}
	wg.Wait()
	if e := failed.Load(); e != nil {
		return measurement{}, *e
	}
	// Every event acknowledged (a request log is produced per request too).
	deadline := time.Now().Add(2 * time.Minute)
	for sink.acked.Load() < int64(2*requests) {
		if time.Now().After(deadline) {
			return measurement{}, fmt.Errorf("%d of %d messages acknowledged after 2 minutes", sink.acked.Load(), 2*requests)
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	m := measurement{eventsPerS: float64(requests) / elapsed.Seconds()}
	if viaOutbox {
		sink.mu.Lock()
		d := slices.Clone(sink.delays)
		sink.mu.Unlock()
		slices.Sort(d)
		at := func(q float64) float64 {
			return float64(d[min(len(d)-1, int(q*float64(len(d))))]) / float64(time.Millisecond)
		}
		m.delayP50ms, m.delayP99ms = at(0.5), at(0.99)
	}
	return m, nil
}

// request is one request: a transaction inserting an order, and its event,
// in the transaction (outbox) or emitted after the commit (direct).
func request(ctx context.Context, db *sql.DB, tracer trace.Tracer, id int64, viaOutbox bool) error {
	ctx, span := tracer.Start(ctx, "POST /orders")
	defer span.End()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	if _, err := tx.ExecContext(ctx, "INSERT INTO orders (id, item) VALUES ($1, $2)", id, "book"); err != nil {
		return err
	}
	order := map[string]any{"id": id, "item": "book"}
	key := bridge.WithPartitionKey(strconv.FormatInt(id, 10))
	if viaOutbox {
		if err := bridge.Emit(outbox.WithTx(ctx, tx), "order_created", "bench", order, key); err != nil {
			return err
		}
		return tx.Commit()
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return bridge.Emit(ctx, "order_created", "bench", order, key)
}
