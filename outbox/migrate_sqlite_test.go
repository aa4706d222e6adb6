package outbox_test

import (
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

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
