package outboxtest

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go

	"github.com/otelrelayer/otelrelayer/outbox"
)

// A Backend opens fresh databases of one dialect for tests.
type Backend struct {
	Name    string
	Dialect outbox.Dialect
	// Open returns a fresh, empty database, closed when t ends, and its
	// DSN (for a driver name of DriverName).
	Open func(t testing.TB) (db *sql.DB, dsn string)
}

// DriverName is the database/sql driver of the backend.
func (b Backend) DriverName() string {
	if b.Dialect == outbox.PostgreSQL {
		return "pgx"
	}
	return "sqlite"
}

// Backends returns SQLite and PostgreSQL.
func Backends() []Backend {
	return []Backend{
		{Name: "sqlite", Dialect: outbox.SQLite, Open: OpenSQLite},
		{Name: "postgresql", Dialect: outbox.PostgreSQL, Open: OpenPostgres},
	}
}

// SQLiteDSN is the DSN of a SQLite file as the outbox wants it: WAL (readers
// never wait for the writer), a busy timeout (writers wait for each other
// instead of failing), foreign keys on.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
}

// OpenSQLite opens a SQLite database in a file of t's temporary directory.
func OpenSQLite(t testing.TB) (*sql.DB, string) {
	t.Helper()
	dsn := SQLiteDSN(filepath.Join(t.TempDir(), "outbox.db"))
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatalf("outboxtest: opening SQLite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dsn
}

var shared struct {
	once sync.Once
	srv  *Server
	err  error
	n    atomic.Int64
}

// OpenPostgres creates a fresh database on the shared test server (started
// on first use; stop it with [Main]) and opens it with pgx. Where no server
// can start it skips t with the reason, or fails it in CI (CI set).
func OpenPostgres(t testing.TB) (*sql.DB, string) {
	t.Helper()
	shared.once.Do(func() { shared.srv, shared.err = StartPostgres() })
	if shared.err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL is required in CI: %v", shared.err)
		}
		t.Skipf("PostgreSQL unavailable, skipped (required in CI): %v", shared.err)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), shared.n.Add(1))
	dsn, err := shared.srv.CreateDatabase(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("outboxtest: opening %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := waitReady(t.Context(), db); err != nil {
		t.Fatalf("outboxtest: PostgreSQL does not answer on %s: %v", dsn, err)
	}
	return db, dsn
}

// Main runs the tests and stops the shared PostgreSQL server, if started:
// call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if shared.srv != nil {
		shared.srv.Stop()
	}
	return code
}
