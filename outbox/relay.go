package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// ErrRefused wraps the report of a row the broker refused for good (too
// large, topic refused) or that could not be decoded: the row is moved
// aside (failed_us and failure set), reported through the error handler,
// and the rows behind it are published.
var ErrRefused = errors.New("outbox: the broker refused the event for good; its row is moved aside")

// ErrRunning is returned by Run while another Run of the same relay runs.
var ErrRunning = errors.New("outbox: the relay is already running")

// A Relay publishes the committed rows of an outbox table through a
// kafkasink.Sink and deletes each row only once the broker acknowledged it
// (or the sink's spool holds it). A relay that stops between the
// acknowledgement and the delete publishes those rows again: duplicates
// carry the same relayer-event-id header (see [Inbox]).
//
// Each row is produced with the message's original key and headers (trace
// context and event ID included) plus [wire.OutboxWrittenAtHeader].
type Relay struct {
	db      *sql.DB
	dialect Dialect
	sink    kafkasink.Sink
	cfg     relayConfig
	claim   string
	running atomic.Bool
}

// NewRelay returns a relay for the outbox table of db. The sink is not
// closed by the relay. Options: [WithTable], [WithBatchSize],
// [WithPollInterval], [WithRetryBackoff], [WithNotifier],
// [WithErrorHandler].
func NewRelay(db *sql.DB, dialect Dialect, sink kafkasink.Sink, opts ...RelayOption) (*Relay, error) {
	if db == nil || sink == nil {
		return nil, fmt.Errorf("%w: NewRelay needs a *sql.DB and a kafkasink.Sink (db nil: %t, sink nil: %t)", ErrConfiguration, db == nil, sink == nil)
	}
	if err := dialect.check(); err != nil {
		return nil, err
	}
	cfg, err := newRelayConfig(opts)
	if err != nil {
		return nil, err
	}
	return &Relay{db: db, dialect: dialect, sink: sink, cfg: cfg, claim: claimQuery(dialect, cfg.table)}, nil
}

// Run publishes committed rows until ctx ends, then returns ctx's error. It
// never returns on a database or broker failure: it reports it through the
// error handler and tries again after the retry backoff. When ctx ends
// while the broker has not answered about the rows produced, Run waits up
// to 5s for the answers and deletes the acknowledged rows; rows still
// unanswered then stay in the table, and the next run publishes them
// (again, if they were delivered meanwhile).
func (r *Relay) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer r.running.Store(false)
	wake := make(chan struct{}, 1)
	if r.cfg.notifier != nil {
		listenCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); r.listen(listenCtx, wake) }()
		defer func() { stop(); <-done }()
	}
	// Rows that failed for now are retried from the head of the table
	// after the retry backoff; meanwhile the relay looks past them (after
	// the id skip), so that a topic or partition that stays unavailable
	// does not hold back the events of the others. The rows of a key with
	// a row left behind stay blocked: the key's order holds.
	var skip int64
	var retryAt time.Time
	for {
		n, last, err := r.relayBatch(ctx, skip)
		if ctx.Err() != nil {
			if err != nil && !errors.Is(err, ctx.Err()) { // e.g. the last delete failed
				r.cfg.errorHandler(err)
			}
			return ctx.Err()
		}
		if err != nil {
			r.cfg.errorHandler(err)
			if skip == 0 && last > 0 { // rows kept after a failure
				retryAt = time.Now().Add(r.cfg.retryBackoff)
			}
		}
		if last > 0 && (skip > 0 || err != nil) && time.Now().Before(retryAt) {
			skip = max(skip, last) // look past the rows left behind
			continue
		}
		if skip > 0 && err == nil && time.Now().Before(retryAt) {
			// Past the end of the table while rows wait for their retry:
			// rows committed meanwhile, past them, are published as they
			// come (a wake-up or the poll interval), not at the retry.
			if !sleep(ctx, min(r.cfg.pollInterval, time.Until(retryAt)), wake) {
				return ctx.Err()
			}
			continue
		}
		if skip > 0 || err != nil {
			// Past the end of the table, the backoff over, or the
			// database failing: back to the head of the table.
			wait := r.cfg.retryBackoff
			if skip > 0 || last > 0 {
				wait = time.Until(retryAt)
			}
			skip = 0
			if wait > 0 && !sleep(ctx, wait, nil) {
				return ctx.Err()
			}
			continue
		}
		if n > 0 { // rows settled: more may have been committed meanwhile
			continue
		}
		// Nothing settled: the table was empty, or every row claimed waits
		// behind an older row of its key that another relay holds.
		if !sleep(ctx, r.cfg.pollInterval, wake) {
			return ctx.Err()
		}
	}
}

// listen runs the notifier until ctx ends, restarting it after a failure.
func (r *Relay) listen(ctx context.Context, wake chan<- struct{}) {
	for {
		err := r.cfg.notifier.Listen(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		r.cfg.errorHandler(fmt.Errorf("outbox: listening for commits on %q (polling meanwhile): %w", r.cfg.table, err))
		if !sleep(ctx, r.cfg.retryBackoff, nil) {
			return
		}
	}
}

// sleep waits for d, a wake-up or the end of ctx; false when ctx ended.
func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-wake:
	}
	return true
}
