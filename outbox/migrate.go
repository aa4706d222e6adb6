package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// The outbox table: one row per event, id is the outbox sequence. key is
// NULL for an event without a partition key; headers holds the message's
// headers (see appendHeaders); written_us is when the row was written, in
// microseconds since the Unix epoch. A row the broker refused for good is
// kept with failed_us and failure set, and never claimed again.
const (
	sqliteSchema = `CREATE TABLE IF NOT EXISTS {t} (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	topic TEXT NOT NULL,
	key BLOB,
	value BLOB NOT NULL,
	headers BLOB NOT NULL,
	event_id TEXT NOT NULL,
	written_us INTEGER NOT NULL,
	failed_us INTEGER,
	failure TEXT
);
CREATE INDEX IF NOT EXISTS {s}{n}_key ON {n} (key, id);`

	// The trigger wakes relays listening on the table's name when a
	// transaction that wrote rows commits.
	postgresSchema = `CREATE TABLE IF NOT EXISTS {t} (
	id BIGSERIAL PRIMARY KEY,
	topic TEXT NOT NULL,
	key BYTEA,
	value BYTEA NOT NULL,
	headers BYTEA NOT NULL,
	event_id TEXT NOT NULL,
	written_us BIGINT NOT NULL,
	failed_us BIGINT,
	failure TEXT
);
CREATE INDEX IF NOT EXISTS {n}_key ON {t} (key, id);`

	postgresNotify = `CREATE OR REPLACE FUNCTION {t}_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('{c}', '');
	RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER {n}_notify AFTER INSERT ON {t}
	FOR EACH STATEMENT EXECUTE FUNCTION {t}_notify();`

	postgresNoNotify = `DROP TRIGGER IF EXISTS {n}_notify ON {t};`
)

// Schema returns the SQL that [Migrate] runs for dialect: for users who
// apply migrations with their own tool. Options: [WithTable],
// [WithoutNotifyTrigger].
func Schema(dialect Dialect, opts ...Option) (string, error) {
	cfg := newTableConfig(DefaultTable, opts)
	if err := dialect.check(); err != nil {
		return "", err
	}
	if err := checkTable(cfg.table); err != nil {
		return "", err
	}
	s := sqliteSchema
	if dialect == PostgreSQL {
		s = postgresSchema + "\n" + postgresNotify
		if cfg.noNotify {
			s = postgresSchema + "\n" + postgresNoNotify
		}
	}
	// SQLite names the schema on the index, never on its table:
	// CREATE INDEX main.x_key ON x (...).
	schema := strings.TrimSuffix(cfg.table, unqualified(cfg.table))
	return strings.NewReplacer("{t}", cfg.table, "{n}", unqualified(cfg.table), "{s}", schema, "{c}", Channel(cfg.table)).Replace(s), nil
}

// Channel is the PostgreSQL NOTIFY channel on which commits that wrote rows
// into table are announced: the table name, lower case, without its schema.
func Channel(table string) string { return strings.ToLower(unqualified(table)) }

func unqualified(table string) string {
	if i := strings.LastIndexByte(table, '.'); i >= 0 {
		return table[i+1:]
	}
	return table
}

// Migrate creates the outbox table (and, on PostgreSQL, its NOTIFY trigger,
// unless [WithoutNotifyTrigger]) when missing; it is idempotent. The table
// is [DefaultTable] unless [WithTable] names another.
func Migrate(ctx context.Context, db *sql.DB, dialect Dialect, opts ...Option) error {
	if db == nil {
		return fmt.Errorf("%w: Migrate needs a *sql.DB, got nil", ErrConfiguration)
	}
	cfg := newTableConfig(DefaultTable, opts)
	schema, err := Schema(dialect, opts...)
	if err != nil {
		return err
	}
	if err := execScript(ctx, db, dialect, schema); err != nil {
		return fmt.Errorf("outbox: creating table %q (%s): %w", cfg.table, dialect, err)
	}
	return nil
}

// execScript runs statements separated by ";\n" at the top level, in one
// transaction, as not every driver takes several statements in one Exec.
// On PostgreSQL the transaction first takes an advisory lock: CREATE TABLE
// IF NOT EXISTS and CREATE OR REPLACE FUNCTION of concurrent transactions
// (replicas that all migrate at start) fail with a unique violation or
// "tuple concurrently updated"; with the lock they run one after another.
//
// On SQLite a transaction whose snapshot another connection's write made
// stale (a replica migrating at the same moment) is refused at once with
// SQLITE_BUSY, whatever the busy timeout: the script, idempotent, is run
// again, within ctx, up to 50 times and for about 10 seconds at most (an
// attempt may itself wait for the connection's busy timeout: a file
// another process keeps locked fails after about 10s, not 50 timeouts).
func execScript(ctx context.Context, db *sql.DB, dialect Dialect, script string) error {
	delay := 5 * time.Millisecond
	giveUp := time.Now().Add(sqliteRetryFor)
	for attempt := 1; ; attempt++ {
		err := execScriptOnce(ctx, db, dialect, script)
		if err == nil || dialect != SQLite || !sqliteBusy(err) || attempt == 50 || time.Now().After(giveUp) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
		delay = min(2*delay, 200*time.Millisecond)
	}
}

// sqliteRetryFor is how long Migrate tries again on a busy SQLite file.
const sqliteRetryFor = 10 * time.Second

// sqliteBusy reports whether err is SQLite's "database is locked"
// (SQLITE_BUSY), by its text: the outbox does not import a driver.
func sqliteBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

func execScriptOnce(ctx context.Context, db *sql.DB, dialect Dialect, script string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	if dialect == PostgreSQL {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock("+migrateLock+")"); err != nil {
			return err
		}
	}
	for _, stmt := range splitStatements(script) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// splitStatements splits at ";" ending a line, except inside $$ bodies.
func splitStatements(script string) []string {
	var out []string
	var cur strings.Builder
	inBody := false
	for _, line := range strings.SplitAfter(script, "\n") {
		cur.WriteString(line)
		if strings.Count(line, "$$")%2 == 1 {
			inBody = !inBody
		}
		if !inBody && strings.HasSuffix(strings.TrimSpace(line), ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// migrateLock is the PostgreSQL advisory lock key that serialises Migrate
// and Inbox.Migrate: the bytes of "otelrela", big-endian.
const migrateLock = "8031155551958559841"
