package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Prune deletes from the inbox the event IDs written before before, and
// returns how many it deleted. otelrelayer's event IDs are UUIDv7, whose
// text sorts by the millisecond they were made, so the inbox needs no
// column of its own for their age; IDs of another form (not 36 characters
// with version 7) are never pruned.
//
// A duplicate that arrives after its ID was pruned is processed again:
// choose before older than the longest time a copy can still come (the
// relay's retries, consumer lag, a replay of the topic), for example a week
// ago, and call Prune from a periodic job.
func (i *Inbox) Prune(ctx context.Context, db *sql.DB, before time.Time) (int64, error) {
	if db == nil {
		return 0, fmt.Errorf("%w: Prune needs a *sql.DB, got nil", ErrConfiguration)
	}
	res, err := db.ExecContext(ctx, "DELETE FROM "+i.table+
		" WHERE event_id < $1 AND length(event_id) = 36 AND substr(event_id, 15, 1) = '7'", uuidV7Floor(before))
	if err != nil {
		if isMissingTable(err) {
			return 0, fmt.Errorf("%w: inbox table %q (create it with Inbox.Migrate): %w", ErrNoTable, i.table, err)
		}
		return 0, fmt.Errorf("outbox: pruning inbox table %q: %w", i.table, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("outbox: pruning inbox table %q: %w", i.table, err)
	}
	return n, nil
}

// uuidV7Floor is the smallest UUIDv7 text of the millisecond t: every ID
// made at t or later sorts at or after it.
func uuidV7Floor(t time.Time) string {
	ms := uint64(max(t.UnixMilli(), 0)) & (1<<48 - 1)
	return fmt.Sprintf("%08x-%04x-7000-8000-000000000000", ms>>16, ms&0xffff)
}
