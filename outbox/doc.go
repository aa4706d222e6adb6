// Package outbox is the transactional outbox of otelrelayer: an event is
// published if and only if the database transaction that emitted it commits.
//
// Emit stays the one way to emit. Inside a transaction, put it in the
// context, and Emit writes the encoded event (the same bytes, key, headers,
// event ID and trace context as a direct emit) as a row of the outbox table
// through that transaction instead of producing it:
//
//	tx, err := db.BeginTx(ctx, nil)
//	...
//	ctx = outbox.WithTx(ctx, tx)
//	if err := bridge.Emit(ctx, "order_created", "v1", order); err != nil {
//		tx.Rollback() // the insert failed: so does the transaction
//		...
//	}
//	err = tx.Commit()
//
// A [Relay] publishes committed rows through a kafkasink.Sink and deletes
// them only once the broker acknowledged them; cmd/relayer-outbox runs one as
// its own process. Duplicates remain possible (a relay that dies after the
// broker acknowledged and before the delete) and carry the same
// relayer-event-id header: an [Inbox] makes the consumer's processing
// effectively once.
//
// # Backends
//
// The package uses database/sql only. [SQLite] (e.g. modernc.org/sqlite)
// and [PostgreSQL] (github.com/jackc/pgx/v5/stdlib) are supported; [Migrate]
// creates the outbox table. On PostgreSQL, package outbox/pgnotify wakes the
// relay with LISTEN/NOTIFY; polling is the fallback.
//
// # Ordering
//
// Per partition key: within one transaction, events are published in the
// order of their Emit calls; an event whose transaction committed before
// another event was emitted is published before it. Events of transactions
// that overlap in time may be published in either order. Several relays on
// one PostgreSQL database keep this order (a relay skips a row while an
// older row of the same key is pending elsewhere); on SQLite run one relay
// per database file.
package outbox
