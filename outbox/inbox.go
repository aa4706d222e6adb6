package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/wire"
)

// DefaultInboxTable is the inbox table's name unless [WithTable] says
// otherwise.
const DefaultInboxTable = "relayer_inbox"

// ErrNoEventID is returned by [Inbox.Claim] for a message without a
// relayer-event-id header (not written by otelrelayer).
var ErrNoEventID = errors.New("outbox: the message has no " + wire.EventIDHeader + " header")

// An Inbox makes a consumer's processing effectively once: inside the
// consumer's own transaction, [Inbox.Claim] records the event ID of the
// message and reports whether it was already processed. The duplicates an
// outbox relay may publish carry the same event ID, so exactly one of them
// is processed, provided the processing commits in the same transaction.
//
//	tx, _ := db.BeginTx(ctx, nil)
//	first, err := inbox.Claim(ctx, tx, record.Headers)
//	if err == nil && first {
//		err = apply(ctx, tx, record) // the consumer's own writes
//	}
//	... commit on success, else roll back
//
// An Inbox is safe for concurrent use.
type Inbox struct {
	table string
	claim string
}

// NewInbox returns an inbox on the table [DefaultInboxTable], or the one
// [WithTable] names.
func NewInbox(opts ...Option) (*Inbox, error) {
	cfg := newTableConfig(DefaultInboxTable, opts)
	if err := checkTable(cfg.table); err != nil {
		return nil, err
	}
	// INSERT … ON CONFLICT DO NOTHING: PostgreSQL 9.5+ and SQLite 3.24+.
	return &Inbox{table: cfg.table, claim: "INSERT INTO " + cfg.table + " (event_id) VALUES ($1) ON CONFLICT (event_id) DO NOTHING"}, nil
}

// Migrate creates the inbox table when missing; it is idempotent.
func (i *Inbox) Migrate(ctx context.Context, db *sql.DB, dialect Dialect) error {
	if db == nil {
		return fmt.Errorf("%w: Migrate needs a *sql.DB, got nil", ErrConfiguration)
	}
	if err := dialect.check(); err != nil {
		return err
	}
	if err := execScript(ctx, db, dialect, "CREATE TABLE IF NOT EXISTS "+i.table+" (event_id TEXT PRIMARY KEY)"); err != nil {
		return fmt.Errorf("outbox: creating inbox table %q (%s): %w", i.table, dialect, err)
	}
	return nil
}

// Claim records the event ID of a message's headers in tx and reports true
// the first time, false for an ID already recorded (a duplicate: skip it).
// The record is only kept if tx commits.
func (i *Inbox) Claim(ctx context.Context, tx *sql.Tx, headers []kafkasink.Header) (bool, error) {
	id, ok := EventID(headers)
	if !ok {
		return false, ErrNoEventID
	}
	return i.ClaimID(ctx, tx, id)
}

// ClaimID is [Inbox.Claim] for an event ID already read.
func (i *Inbox) ClaimID(ctx context.Context, tx *sql.Tx, eventID string) (bool, error) {
	if tx == nil {
		return false, ErrNoTransaction
	}
	if eventID == "" {
		return false, ErrNoEventID
	}
	res, err := tx.ExecContext(ctx, i.claim, eventID)
	if err != nil {
		switch {
		case errors.Is(err, sql.ErrTxDone):
			return false, ErrTxDone
		case isMissingTable(err):
			return false, fmt.Errorf("%w: inbox table %q (create it with Inbox.Migrate): %w", ErrNoTable, i.table, err)
		}
		return false, fmt.Errorf("outbox: recording event %s in inbox table %q: %w", eventID, i.table, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("outbox: recording event %s in inbox table %q: %w", eventID, i.table, err)
	}
	return n == 1, nil
}

// EventID returns the relayer-event-id header's value.
func EventID(headers []kafkasink.Header) (string, bool) {
	for _, h := range headers {
		if strings.EqualFold(h.Key, wire.EventIDHeader) {
			return string(h.Value), len(h.Value) > 0
		}
	}
	return "", false
}
