// Package pgnotify wakes an outbox relay with PostgreSQL's LISTEN/NOTIFY:
// the table created by outbox.Migrate notifies its channel when a
// transaction that wrote rows commits. It needs the pgx driver
// (github.com/jackc/pgx/v5/stdlib); the relay polls as fallback.
package pgnotify

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/otelrelayer/otelrelayer/outbox"
)

// Notifier listens on an outbox table's channel, on a connection of its own
// taken from the pool.
type Notifier struct {
	db      *sql.DB
	channel string
}

var _ outbox.Notifier = (*Notifier)(nil)

// New returns a notifier for the outbox table (outbox.DefaultTable when
// empty) of db, which must use the pgx driver (stdlib.OpenDB or
// sql.Open("pgx", dsn)).
func New(db *sql.DB, table string) *Notifier {
	if table == "" {
		table = outbox.DefaultTable
	}
	return &Notifier{db: db, channel: outbox.Channel(table)}
}

// ErrNotPgx: the *sql.DB does not use the pgx driver.
var ErrNotPgx = errors.New("pgnotify: the database does not use the pgx driver (github.com/jackc/pgx/v5/stdlib)")

// Listen implements outbox.Notifier. The connection is discarded when it
// returns, so that its LISTEN never reaches another user of the pool.
func (n *Notifier) Listen(ctx context.Context, wake chan<- struct{}) error {
	if n.db == nil {
		return fmt.Errorf("pgnotify: no database")
	}
	conn, err := n.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("pgnotify: connecting: %w", err)
	}
	defer conn.Close()
	var listenErr error
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			listenErr = fmt.Errorf("%w (driver connection %T)", ErrNotPgx, dc)
			return driver.ErrBadConn
		}
		c := sc.Conn()
		if _, err := c.Exec(ctx, "LISTEN "+pgx.Identifier{n.channel}.Sanitize()); err != nil {
			listenErr = fmt.Errorf("pgnotify: LISTEN %s: %w", n.channel, err)
			return driver.ErrBadConn
		}
		select { // rows committed before LISTEN took effect
		case wake <- struct{}{}:
		default:
		}
		for {
			if _, err := c.WaitForNotification(ctx); err != nil {
				listenErr = fmt.Errorf("pgnotify: waiting on %s: %w", n.channel, err)
				return driver.ErrBadConn // discard the connection: it is LISTENing
			}
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	})
	if listenErr != nil {
		return listenErr
	}
	return err
}
