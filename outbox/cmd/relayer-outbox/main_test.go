package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
)

// syncBuffer is the command's stderr, read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// The command reads the database and the brokers from the environment,
// creates the table with -migrate, and publishes a committed event.
func TestCommandPublishesCommittedRowsFromTheEnvironment(t *testing.T) {
	brokers := otelrelayertest.Cluster(t)
	path := filepath.Join(t.TempDir(), "shop.db")
	t.Setenv("KAFKA_BROKERS", strings.Join(brokers, ",")) // read by kafkasink.New
	env := map[string]string{"OUTBOX_DSN": path}
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-migrate", "-poll", "20ms"}, func(k string) string { return env[k] }, &stderr)
	}()

	_, _, source := openArgs(path)
	db, err := sql.Open("sqlite", source)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec := otelrelayertest.New(t)
	for { // the command creates the table
		if err := outbox.Migrate(t.Context(), db, outbox.SQLite); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	sctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
	if err := bridge.Emit(outbox.WithTx(sctx, tx), "order_created", "v1", map[string]int{"id": 1}); err != nil {
		t.Fatal(err)
	}
	span.End()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("order_created"), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	pctx, pcancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer pcancel()
	var got []*kgo.Record
	for len(got) == 0 && pctx.Err() == nil {
		cl.PollFetches(pctx).EachRecord(func(r *kgo.Record) { got = append(got, r) })
	}
	if len(got) == 0 {
		select {
		case err := <-done:
			t.Fatalf("nothing published; run returned %v; stderr:\n%s", err, stderr.String())
		default:
		}
		t.Fatalf("nothing published; stderr:\n%s", stderr.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after cancel: %v", err)
	}
}

func TestCommandWithoutDatabaseSaysWhatToSet(t *testing.T) {
	err := run(t.Context(), nil, func(string) string { return "" }, &syncBuffer{})
	if err == nil || !strings.Contains(err.Error(), "OUTBOX_DSN") {
		t.Errorf("run without a DSN: %v", err)
	}
}
