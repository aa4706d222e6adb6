package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/wire"
)

// Errors of Emit inside [WithTx]. Emit wraps them in exporter.ErrEventWriter.
var (
	// ErrNoTransaction: WithTx was given a nil transaction.
	ErrNoTransaction = errors.New("outbox: WithTx was given a nil *sql.Tx")
	// ErrTxDone: the transaction was already committed or rolled back. It
	// wraps sql.ErrTxDone.
	ErrTxDone = fmt.Errorf("outbox: the transaction given to WithTx is already committed or rolled back: %w", sql.ErrTxDone)
	// ErrNoTable: the outbox table does not exist; run Migrate.
	ErrNoTable = errors.New("outbox: the outbox table does not exist")
)

// WithTx returns a copy of ctx in which bridge.Emit and bridge.EmitRaw write
// their event as a row of the outbox table through tx instead of producing
// it. The row is published by a [Relay] once tx commits, and never if it
// rolls back. Emit returns the database's error when the insert fails (then
// the transaction should be rolled back); nothing is ever produced directly
// instead. A nil tx, a finished tx ([ErrTxDone]) and a missing table
// ([ErrNoTable]) are reported by Emit. The request log lists the event with
// "outbox": true. Log calls are not affected.
//
// Options: [WithTable]. WithTx checks nothing by itself: every failure
// reaches the caller through Emit.
func WithTx(ctx context.Context, tx *sql.Tx, opts ...Option) context.Context {
	cfg := newTableConfig(DefaultTable, opts)
	return exporter.ContextWithEventWriter(ctx, &txWriter{
		tx: tx, table: cfg.table, tableErr: checkTable(cfg.table),
		insert: "INSERT INTO " + cfg.table + " (topic, key, value, headers, event_id, written_us) VALUES ($1, $2, $3, $4, $5, $6)",
	})
}

// txWriter inserts event messages through one transaction.
type txWriter struct {
	tx       *sql.Tx
	table    string
	tableErr error // an invalid table name, reported by WriteEvent
	insert   string
}

var _ exporter.EventWriter = (*txWriter)(nil)

// WriteEvent implements exporter.EventWriter.
func (w *txWriter) WriteEvent(ctx context.Context, m kafkasink.Message) error {
	if w.tx == nil {
		return ErrNoTransaction
	}
	if w.tableErr != nil {
		return w.tableErr
	}
	var key any // NULL without a partition key
	if m.Key != nil {
		key = m.Key
	}
	var eventID string
	for _, h := range m.Headers {
		if h.Key == wire.EventIDHeader {
			eventID = string(h.Value)
		}
	}
	_, err := w.tx.ExecContext(ctx, w.insert, m.Topic, key, m.Value, appendHeaders(nil, m.Headers), eventID, time.Now().UnixMicro())
	return insertError(w.table, err)
}

// insertError names the table and, when it is missing, the fix.
func insertError(table string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrTxDone):
		return ErrTxDone
	case isMissingTable(err):
		return fmt.Errorf("%w: table %q (create it with outbox.Migrate(ctx, db, dialect) or the SQL of outbox.Schema): %w", ErrNoTable, table, err)
	}
	return fmt.Errorf("outbox: inserting the event into table %q: %w", table, err)
}

// isMissingTable recognises SQLite's "no such table" and PostgreSQL's
// SQLSTATE 42P01 (undefined_table) without importing either driver.
func isMissingTable(err error) bool {
	s := err.Error()
	return strings.Contains(s, "no such table") || strings.Contains(s, "42P01")
}
