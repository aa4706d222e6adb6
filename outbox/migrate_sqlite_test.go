package outbox_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// Processes that migrate one SQLite file at the same time (the
// relayer-outbox command and the application starting together), each
// with its own connection pool, all succeed: a schema another connection
// changed meanwhile makes SQLite refuse a write at once (SQLITE_BUSY,
// whatever the busy timeout), and Migrate tries again.
func TestConcurrentMigrationsOfOneSQLiteFileFromSeveralPoolsSucceed(t *testing.T) {
	for round := range 50 {
		path := filepath.Join(t.TempDir(), "shop.db")
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			db, err := sql.Open("sqlite", outboxtest.SQLiteDSN(path))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			wg.Go(func() { errs <- outbox.Migrate(t.Context(), db, outbox.SQLite) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}

// Migrate on a SQLite file another process keeps locked for writing gives
// up with an error naming the lock after about 10 seconds, as documented,
// even with a busy timeout on the connection (each attempt waits for it).
func TestMigrateOfASQLiteFileLockedByAnotherProcessGivesUpAfterAboutTenSeconds(t *testing.T) {
	t.Parallel() // waits about 10s for the lock
	path := filepath.Join(t.TempDir(), "shop.db")
	holder, err := sql.Open("sqlite", outboxtest.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Close() })
	conn, err := holder.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.ExecContext(context.Background(), "ROLLBACK") }) //nolint:errcheck
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(1000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	done := make(chan error, 1)
	go func() { done <- outbox.Migrate(t.Context(), db, outbox.SQLite) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "locked") {
			t.Fatalf("Migrate of a locked file: %v, want an error naming the lock", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Migrate of a locked file still retrying after 30s (50 attempts of a 1s busy timeout)")
	}
}
