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
// error handler and tries again after the retry backoff. Rows claimed when
// ctx ends and not yet deleted stay in the table for the next run.
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
	for {
		n, err := r.relayBatch(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := r.cfg.pollInterval
		switch {
		case err != nil:
			r.cfg.errorHandler(err)
			wait = r.cfg.retryBackoff
		case n > 0: // rows settled: more may have been committed meanwhile
			continue
		}
		// Nothing settled: the table was empty, or every row claimed waits
		// behind an older row of its key that another relay holds.
		if !sleep(ctx, wait, wake) {
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
