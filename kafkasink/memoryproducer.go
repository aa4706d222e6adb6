package kafkasink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/selflog"
)

// memoryProducer is the Producer without spool: records wait in franz-go's
// buffer, within the budget, until a broker acknowledges them or their
// delivery timeout expires.
type memoryProducer struct {
	client *kgo.Client
	logger *slog.Logger
	// budget bounds the records and bytes in flight. franz-go would block
	// on its own limits too, but only with the produce context, which it
	// also uses to cancel buffered batches; waiting here keeps the two apart.
	budget *budget

	brokerErrs  *brokerErrors
	closed      atomic.Bool // Close began: Produce and Flush fail with ErrClosed
	closing     atomic.Bool // failures are counted for Close's error
	lastFailure atomic.Pointer[error]
}

func newMemoryProducer(client *kgo.Client, c config, brokerErrs *brokerErrors) *memoryProducer {
	return &memoryProducer{
		client:     client,
		logger:     c.logger,
		budget:     newBudget(int64(c.maxBuffered), c.maxBufferedBytes),
		brokerErrs: brokerErrs,
	}
}

func (p *memoryProducer) produce(ctx context.Context, m Message, o ProduceOptions, fromCtx bool, done func(error)) {
	if p.closed.Load() {
		failMessage(done, ErrClosed)
		return
	}
	size := messageSize(m)
	if err := p.budget.admit(ctx, size, func() ProduceOptions {
		if fromCtx {
			return legacyOptions(ctx)
		}
		return o
	}); err != nil {
		failMessage(done, err)
		return
	}
	if p.logger != nil && p.logger.Enabled(selflog.Context(), slog.LevelDebug) {
		logMessage(selflog.Context(), p.logger, m) // never the caller's context: see selflog
	}
	f := inflightPool.Get().(*inflight)
	f.rec = kgo.Record{Topic: m.Topic, Key: m.Key, Value: m.Value, Headers: m.Headers, Context: f}
	f.p, f.size, f.done = p, size, done
	// TryProduce: our budget admitted the record, so franz-go has room
	// unless WithClientOptions set smaller franz-go limits; then the record
	// fails at once (ErrBufferFull) rather than blocking.
	p.client.TryProduce(context.Background(), &f.rec, finishInflight)
}

// inflight is one record on its way, with what its promise needs. It is its
// record's Context (a background context that also carries the record's
// state), so that franz-go's promise can be one package-level function and a
// message costs no allocation: inflights are pooled.
type inflight struct {
	context.Context // never canceled
	rec             kgo.Record
	p               *memoryProducer
	size            int64
	done            func(error)
}

var inflightPool = sync.Pool{New: func() any { return &inflight{Context: context.Background()} }}

// finishInflight is the promise of every record.
func finishInflight(r *kgo.Record, err error) {
	f := r.Context.(*inflight)
	p, size, done := f.p, f.size, f.done
	f.rec, f.p, f.done = kgo.Record{}, nil, nil
	inflightPool.Put(f)
	// Released before done: a done callback may produce again.
	p.budget.release(size)
	if errors.Is(err, kgo.ErrMaxBuffered) {
		err = fmt.Errorf("%w (franz-go's own limits, from WithClientOptions): %w", ErrBufferFull, err)
	}
	failedLate := err != nil && p.closing.Load() // counted in Close's error
	defer p.budget.finished(failedLate)
	if failedLate {
		if errors.Is(err, kgo.ErrClientClosed) {
			err = p.brokerErrs.undelivered(err)
		}
		p.lastFailure.Store(&err)
	}
	if done != nil {
		done(err)
	}
}

func (p *memoryProducer) flush(ctx context.Context) error {
	if p.closed.Load() {
		return ErrClosed
	}
	return p.client.Flush(ctx)
}

func (p *memoryProducer) close(ctx context.Context) error {
	if p.closed.Swap(true) {
		return nil
	}
	p.closing.Store(true)
	flushCtx, cancel := beforeDeadline(ctx)
	flushErr := p.client.Flush(flushCtx)
	cancel()
	if flushErr != nil && ctx.Err() == nil {
		flushErr = context.DeadlineExceeded // the flush's share of ctx ran out
	}
	p.brokerErrs.closing.Store(true)
	closed := make(chan struct{})
	go func() {
		p.client.Close()
		p.budget.waitFinished()
		close(closed)
	}()
	select {
	case <-closed:
	case <-ctx.Done():
		if flushErr == nil {
			flushErr = ctx.Err()
		}
	}
	n := p.budget.undelivered()
	if n == 0 {
		return nil
	}
	var last error
	if e := p.lastFailure.Load(); e != nil {
		last = *e
	}
	return p.brokerErrs.closeError(n, flushErr, last)
}
