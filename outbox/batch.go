package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/wire"
)

// claimQuery selects the oldest pending rows after the id $2 (0: from the
// start; more while the relay looks past rows that failed for now). On
// PostgreSQL it locks them (rows another relay holds are skipped). A row is
// flagged as blocked when its key has an older pending row outside the
// batch (held by another relay, or left behind the cursor after a failure):
// publishing it now could overtake that row, so it waits for a later batch.
func claimQuery(d Dialect, table string) string {
	if d == PostgreSQL {
		return `WITH c AS (SELECT id FROM ` + table + ` WHERE failed_us IS NULL AND id > $2 ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
SELECT o.id, o.topic, o.key, o.value, o.headers, o.event_id, o.written_us,
	EXISTS (SELECT 1 FROM ` + table + ` p WHERE p.key = o.key AND p.id < o.id AND p.failed_us IS NULL AND p.id NOT IN (SELECT id FROM c))
FROM ` + table + ` o WHERE o.id IN (SELECT id FROM c) ORDER BY o.id`
	}
	// One relay per file: the rows between $2 and a row are in the batch
	// (it is in id order), so only rows up to $2 can hold it back.
	return `SELECT o.id, o.topic, o.key, o.value, o.headers, o.event_id, o.written_us,
	$2 > 0 AND EXISTS (SELECT 1 FROM ` + table + ` p WHERE p.key = o.key AND p.id <= $2 AND p.failed_us IS NULL)
FROM ` + table + ` o WHERE o.failed_us IS NULL AND o.id > $2 ORDER BY o.id LIMIT $1`
}

// row is one claimed outbox row.
type row struct {
	id        int64
	topic     string
	key       []byte
	value     []byte
	headers   []byte
	eventID   string
	writtenUS int64
	blocked   bool
}

// outcome is what became of a claimed row.
type outcome struct {
	done    bool  // acknowledged (or spooled): delete
	refused error // refused for good: move aside
	err     error // failed for now: keep
}

// relayBatch claims (after the id after), produces and settles one batch;
// it returns how many rows it settled (published or moved aside): rows
// blocked behind another relay's, or kept after a failure, are not
// progress; and the last id it claimed (0: none). On PostgreSQL the rows stay locked in the claiming
// transaction until they are settled; on SQLite the claim is a plain read
// and the settlement a short transaction, so that writers are not held
// while the broker answers.
func (r *Relay) relayBatch(ctx context.Context, after int64) (settled int, last int64, err error) {
	var q interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	} = r.db
	var tx *sql.Tx
	if r.dialect == PostgreSQL {
		// Not ended with ctx (database/sql rolls back a transaction whose
		// context ends): a relay that stops still deletes what the broker
		// acknowledged meanwhile; the deferred Rollback ends it otherwise.
		if tx, err = r.db.BeginTx(context.WithoutCancel(ctx), nil); err != nil {
			return 0, 0, r.dbError("claiming rows", err)
		}
		defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
		q = tx
	}
	rows, err := r.read(ctx, q, after)
	if err != nil || len(rows) == 0 {
		return 0, 0, err
	}
	last = rows[len(rows)-1].id
	outcomes := r.produce(ctx, rows)
	settleCtx := ctx
	if ctx.Err() != nil { // stopping: settle what was answered, briefly
		var cancel context.CancelFunc
		settleCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), stopGrace)
		defer cancel()
	}
	if tx == nil {
		if tx, err = r.db.BeginTx(settleCtx, nil); err != nil {
			return 0, last, r.dbError("settling published rows", err)
		}
		defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	}
	if err := r.settle(settleCtx, tx, rows, outcomes); err != nil {
		return 0, last, err
	}
	if err := tx.Commit(); err != nil {
		return 0, last, r.dbError("settling published rows", err)
	}
	var failed []error
	kept := 0
	var topics []string // of the rows kept, each once: the report names them all
	for i, o := range outcomes {
		if o.done || o.refused != nil {
			settled++
		}
		if o.refused != nil {
			r.cfg.errorHandler(fmt.Errorf("%w: row %d, event %s, topic %q: %w", ErrRefused, rows[i].id, rows[i].eventID, rows[i].topic, o.refused))
		}
		if o.err != nil {
			kept++
			if q := strconv.Quote(rows[i].topic); !slices.Contains(topics, q) {
				topics = append(topics, q)
			}
			if len(failed) < 3 {
				failed = append(failed, fmt.Errorf("row %d, event %s, topic %q: %w", rows[i].id, rows[i].eventID, rows[i].topic, o.err))
			}
		}
	}
	if len(failed) > 0 { // kept for the next try, after the backoff
		return settled, last, fmt.Errorf("outbox: publishing rows of %q: %d rows failed, kept, retried (topics %s; the first ones): %w", r.cfg.table, kept, strings.Join(topics, ", "), errors.Join(failed...))
	}
	return settled, last, nil
}

func (r *Relay) dbError(what string, err error) error {
	if isMissingTable(err) {
		return fmt.Errorf("outbox: %s: %w: table %q (create it with outbox.Migrate): %w", what, ErrNoTable, r.cfg.table, err)
	}
	return fmt.Errorf("outbox: %s of table %q: %w", what, r.cfg.table, err)
}

func (r *Relay) read(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, after int64) ([]row, error) {
	rs, err := q.QueryContext(ctx, r.claim, r.cfg.batchSize, after)
	if err != nil {
		return nil, r.dbError("claiming rows", err)
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var w row
		if err := rs.Scan(&w.id, &w.topic, &w.key, &w.value, &w.headers, &w.eventID, &w.writtenUS, &w.blocked); err != nil {
			return nil, r.dbError("reading rows", err)
		}
		out = append(out, w)
	}
	if err := rs.Err(); err != nil {
		return nil, r.dbError("reading rows", err)
	}
	return out, nil
}

// produce produces the unblocked rows in outbox order and waits for every
// answer. A row whose headers cannot be decoded is refused. Once a row of
// a key failed for now, the rows of that key not yet produced are kept
// too; a failure reported after them relies on the sink failing the later
// records of the partition as well (franz-go does). The sink orders records
// per partition only: a row of a key whose earlier row of the batch went to
// another topic is produced in a later wave of the batch, once that row was
// acknowledged (with the rows of the key behind it), so that a failure of
// the first topic cannot let it overtake. One topic per key (the usual
// case) takes one wave.
func (r *Relay) produce(ctx context.Context, rows []row) []outcome {
	outcomes := make([]outcome, len(rows))
	// Keys of which a row failed for now: the rows behind it, not yet
	// produced, wait for the next batch with it, so that they never
	// overtake it (a full buffer fails one record and takes the next).
	// failedMu also guards outcomes against the answers, which arrive from
	// the sink's goroutines (late ones after the grace at stop, too).
	var failedMu sync.Mutex
	failedKeys := map[string]bool{}
	wave := make([]int, 0, len(rows))
	for i := range rows {
		if !rows[i].blocked {
			wave = append(wave, i)
		}
	}
	for len(wave) > 0 {
		next, graceOver := r.produceWave(ctx, rows, outcomes, wave, &failedMu, failedKeys)
		if graceOver {
			// Stopping, answers still missing: the rows answered so far
			// (in this wave or an earlier one) are settled, the others
			// stay. Late answers write under failedMu: settle a copy.
			failedMu.Lock()
			defer failedMu.Unlock()
			return slices.Clone(outcomes)
		}
		if ctx.Err() != nil { // stopping: the rows not produced stay
			return outcomes
		}
		wave = next
	}
	return outcomes
}

// produceWave produces the rows of wave (indexes into rows) up to each
// key's first change of topic, waits for their answers, and returns the
// rows left for the next wave; graceOver when ctx ended and answers were
// still missing after stopGrace (they may come later: the answers write
// outcomes under failedMu).
func (r *Relay) produceWave(ctx context.Context, rows []row, outcomes []outcome, wave []int, failedMu *sync.Mutex, failedKeys map[string]bool) (next []int, graceOver bool) {
	answers := make(chan struct{}, len(wave))
	pending := 0
	topicOf := map[string]string{} // the topic of each key's rows in this wave
	later := map[string]bool{}     // keys with a row left for the next wave
	for _, i := range wave {
		w := &rows[i]
		if w.key != nil {
			k := string(w.key)
			failedMu.Lock()
			behind := failedKeys[k]
			failedMu.Unlock()
			if behind {
				continue
			}
			if t, ok := topicOf[k]; later[k] || ok && t != w.topic {
				later[k] = true
				next = append(next, i)
				continue
			}
			topicOf[k] = w.topic
		}
		hs, err := decodeHeaders(w.headers)
		if err != nil {
			outcomes[i].refused = err
			continue
		}
		written := time.UnixMicro(w.writtenUS).UTC().AppendFormat(nil, "2006-01-02T15:04:05.000000Z")
		hs = append(hs, kafkasink.Header{Key: wire.OutboxWrittenAtHeader, Value: written})
		o := &outcomes[i]
		key := w.key
		pending++
		r.sink.Produce(ctx, kafkasink.Message{Topic: w.topic, Key: w.key, Value: w.value, Headers: hs}, func(err error) {
			failedMu.Lock()
			switch {
			case err == nil || errors.Is(err, kafkasink.ErrSpooled):
				o.done = true
			case refusedForGood(err):
				o.refused = err
			default:
				o.err = err
				if key != nil {
					failedKeys[string(key)] = true
				}
			}
			failedMu.Unlock()
			answers <- struct{}{}
		})
	}
	for ; pending > 0; pending-- {
		select {
		case <-answers:
		case <-ctx.Done():
			// Stopping: the broker may acknowledge the batch in a moment;
			// rows left in the table would be published again by the
			// next run.
			t := time.NewTimer(stopGrace)
			defer t.Stop()
			for ; pending > 0; pending-- {
				select {
				case <-answers:
				case <-t.C:
					return nil, true
				}
			}
			return nil, false
		}
	}
	return next, false
}

// stopGrace is how long a relay whose context ended still waits for the
// broker's answers about the rows it produced, and then to delete them.
const stopGrace = 5 * time.Second

// refusedForGood tells a broker's final refusal (a non-retriable Kafka
// error: message too large, topic invalid or not authorized) from a
// failure that may pass (timeouts, broker down).
func refusedForGood(err error) bool {
	var ke *kerr.Error
	return errors.As(err, &ke) && !ke.Retriable
}

// settle deletes the published rows and moves the refused ones aside.
func (r *Relay) settle(ctx context.Context, tx *sql.Tx, rows []row, outcomes []outcome) error {
	var done []any
	for i, o := range outcomes {
		switch {
		case o.done:
			done = append(done, rows[i].id)
		case o.refused != nil:
			reason := o.refused.Error()
			if _, err := tx.ExecContext(ctx, "UPDATE "+r.cfg.table+" SET failed_us = $1, failure = $2 WHERE id = $3", time.Now().UnixMicro(), reason, rows[i].id); err != nil {
				return r.dbError("moving a refused row aside", err)
			}
		}
	}
	// In chunks: a statement takes at most 65535 bind parameters on
	// PostgreSQL (32766 on SQLite), and a batch may be larger; a delete that
	// always failed would publish the whole batch again at every retry.
	for len(done) > 0 {
		chunk := done[:min(len(done), deleteChunk)]
		done = done[len(chunk):]
		var b strings.Builder
		b.WriteString("DELETE FROM " + r.cfg.table + " WHERE id IN (")
		for i := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("$" + strconv.Itoa(i+1))
		}
		b.WriteByte(')')
		if _, err := tx.ExecContext(ctx, b.String(), chunk...); err != nil {
			return r.dbError("deleting published rows", err)
		}
	}
	return nil
}

// deleteChunk is how many rows one DELETE statement names, far below the
// bind-parameter limits of both dialects.
const deleteChunk = 1000
