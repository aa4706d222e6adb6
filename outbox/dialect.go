package outbox

import (
	"errors"
	"fmt"
	"regexp"
)

// A Dialect is the SQL flavour of a database: [SQLite] or [PostgreSQL].
type Dialect int

const (
	// SQLite, e.g. through modernc.org/sqlite (pure Go). One writer at a
	// time: run one relay per database file.
	SQLite Dialect = iota + 1
	// PostgreSQL, e.g. through github.com/jackc/pgx/v5/stdlib. Several
	// relays may share a table (rows are claimed FOR UPDATE SKIP LOCKED).
	PostgreSQL
)

func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case PostgreSQL:
		return "postgresql"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// ErrConfiguration is returned by [Migrate], [NewRelay] and [NewInbox] for an
// invalid argument or option, and by Emit for an invalid table name given
// to [WithTx].
var ErrConfiguration = errors.New("outbox: invalid configuration")

func (d Dialect) check() error {
	if d != SQLite && d != PostgreSQL {
		return fmt.Errorf("%w: unknown dialect %d (use outbox.SQLite or outbox.PostgreSQL)", ErrConfiguration, int(d))
	}
	return nil
}

// DefaultTable is the outbox table's name unless [WithTable] says otherwise.
const DefaultTable = "relayer_outbox"

// identifier is a table name: an SQL identifier, optionally schema-qualified,
// never quoted (the name is part of the SQL text).
var identifier = regexp.MustCompile(`^([a-zA-Z_][a-zA-Z0-9_]{0,62}\.)?[a-zA-Z_][a-zA-Z0-9_]{0,62}$`)

func checkTable(name string) error {
	if !identifier.MatchString(name) {
		return fmt.Errorf("%w: table name %q: use letters, digits and underscores (optionally schema.table), at most 63 each", ErrConfiguration, name)
	}
	return nil
}
