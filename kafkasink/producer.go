package kafkasink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/selflog"
)

// ErrConfiguration is returned by [New] when its options cannot make a
// working producer; the error says which option is wrong.
var ErrConfiguration = errors.New("kafkasink: invalid configuration")

// ErrBufferFull is given to a message's done callback when the producer's
// buffer stayed full until the context passed to Produce was done. It wraps
// the context's error.
var ErrBufferFull = errors.New("kafkasink: producer buffer full")

// Producer is a [Sink] over a franz-go client.
type Producer struct {
	client *kgo.Client
	logger *slog.Logger
	// budget bounds the records and bytes in flight. franz-go would block
	// on its own limits too, but only with the produce context, which it
	// also uses to cancel buffered batches; waiting here keeps the two apart.
	budget *budget
	spool  *spool // nil without WithSpool

	brokerErrs  *brokerErrors
	closing     atomic.Bool // Close began: failures are counted for its error
	lastFailure atomic.Pointer[error]
}

var _ Sink = (*Producer)(nil)

// New returns a producer connected to the brokers given with [WithBrokers]
// (or KAFKA_BROKERS), with the TLS and SASL settings of options and
// environment (see the package documentation). It does not wait for the
// brokers: a cluster that is not reachable yet makes
// messages wait and retry within franz-go's delivery timeout.
func New(opts ...Option) (*Producer, error) {
	c := newConfig(opts)
	if len(c.errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrConfiguration, errors.Join(c.errs...))
	}
	if c.useEnvironment {
		var err error
		if c, err = c.fromEnvironment(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfiguration, err)
		}
	}
	if len(c.brokers) == 0 {
		if !c.useEnvironment {
			return nil, fmt.Errorf("%w: no brokers given; pass WithBrokers(\"host:port\", ...) (KAFKA_BROKERS is not read: WithoutEnvironment)", ErrConfiguration)
		}
		return nil, fmt.Errorf("%w: no brokers given; pass WithBrokers(\"host:port\", ...) or set KAFKA_BROKERS (host:port,host:port)", ErrConfiguration)
	}
	if c.maxBuffered < 1 {
		return nil, fmt.Errorf("%w: WithMaxBufferedRecords(%d) must be at least 1", ErrConfiguration, c.maxBuffered)
	}
	if c.maxBufferedBytes < 1 {
		return nil, fmt.Errorf("%w: WithMaxBufferedBytes(%d) must be at least 1", ErrConfiguration, c.maxBufferedBytes)
	}
	if c.deliveryTimeout < 0 || c.deliveryTimeout > 0 && c.deliveryTimeout < time.Second {
		return nil, fmt.Errorf("%w: WithDeliveryTimeout(%v) must be 0 (no limit) or at least 1s (franz-go's minimum)", ErrConfiguration, c.deliveryTimeout)
	}
	if err := c.spoolError(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfiguration, err)
	}
	var sp *spool
	if c.spool.set {
		var err error
		if sp, err = openSpool(c); err != nil {
			return nil, err
		}
	}
	brokerErrs := &brokerErrors{}
	kopts := append([]kgo.Opt{
		kgo.SeedBrokers(c.brokers...),
		kgo.AllowAutoTopicCreation(),
		// One more than ours: franz-go counts a record as buffered until its
		// promise returns, and a done callback may produce again.
		kgo.MaxBufferedRecords(c.maxBuffered + 1),
		kgo.RecordDeliveryTimeout(c.recordDeliveryTimeout()),
		// Recover from leader changes in one metadata round trip; see
		// DefaultMetadataMinAge.
		kgo.MetadataMinAge(DefaultMetadataMinAge),
		kgo.WithHooks(brokerErrs),
		// Snappy: of none, snappy, lz4 and zstd, the least CPU per message
		// for client and broker; zstd halves the bytes for more CPU (relaybench -codecs).
		kgo.ProducerBatchCompression(kgo.SnappyCompression(), kgo.NoCompression()),
		// No KIP-714 client-metrics push to the brokers: closing the client
		// then waits up to a second for a final push, which Close cannot
		// fit before its deadline (the library's metrics go through
		// OpenTelemetry instead).
		kgo.DisableClientMetrics(),
	}, append(c.securityOpts(), c.clientOpts...)...)
	client, err := kgo.NewClient(kopts...)
	if err != nil {
		if sp != nil {
			_ = sp.store.close()
		}
		return nil, fmt.Errorf("%w: %w", ErrConfiguration, err)
	}
	p := &Producer{
		client:     client,
		logger:     c.logger,
		budget:     newBudget(int64(c.maxBuffered), c.maxBufferedBytes),
		brokerErrs: brokerErrs,
	}
	if sp != nil {
		p.spool = sp
		sp.start(client, p.budget)
	}
	return p, nil
}

// Client returns the underlying franz-go client, for metrics and admin calls.
// Closing it directly bypasses [Producer.Close].
func (p *Producer) Client() *kgo.Client { return p.client }

// Produce implements [Sink]. ctx bounds only the wait for buffer space: the
// record is produced with a context of its own, so that a request context
// canceled after Emit returns cannot cancel the delivery of a message that
// was accepted.
func (p *Producer) Produce(ctx context.Context, m Message, done func(error)) {
	if ctx == nil {
		ctx = context.Background()
	}
	if p.spool != nil {
		p.spool.produce(ctx, m, done)
		return
	}
	size := messageSize(m)
	if err := p.budget.admit(ctx, size); err != nil {
		if done != nil {
			done(err)
		}
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
	p               *Producer
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

// Flush implements [Sink]. With [WithSpool] it waits until every message
// accepted before the call is acknowledged, or ctx is done.
func (p *Producer) Flush(ctx context.Context) error {
	if p.spool != nil {
		return p.spool.flush(ctx, 0)
	}
	return p.client.Flush(ctx)
}

// Close implements [Sink]: it waits within ctx until every record is
// delivered or has failed, then closes the client, failing the records not
// delivered yet. It returns nil when every record produced was acknowledged,
// else an error wrapping [ErrUndelivered] that counts the records not
// delivered (failed since Close began, or still unanswered when ctx ended)
// and names the last broker error.
//
// Close never outlasts ctx. When ctx has a deadline, the flush ends a little
// before it (a quarter of the time left, at most one second), so that
// closing the client and calling the done callbacks of the records it fails
// fit in what remains: every done callback has then been called when Close
// returns. A
// context canceled without a deadline leaves no such room: the callbacks of
// the records failed by closing the client may then run just after Close
// returned.
//
// With [WithSpool], Close delivers while the broker answers, then leaves
// what remains in the spool for the next [New] and returns nil, never
// [ErrUndelivered]: nothing is lost (see Spool in the package documentation).
// It returns an error wrapping [ErrSpool] only when ctx ended before the
// spool's final commit: messages accepted without waiting for the disk (a
// Produce whose context was already done, or any with
// [WithSpoolCommitInterval]) may then be lost, unless the process lives on
// until that commit is made.
func (p *Producer) Close(ctx context.Context) error {
	if p.spool != nil {
		return p.spool.close(ctx)
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

// messageSize is what a message weighs in the budget: franz-go's measure.
func messageSize(m Message) int64 {
	n := len(m.Key) + len(m.Value)
	for _, h := range m.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return int64(n)
}

func logMessage(ctx context.Context, l *slog.Logger, m Message) {
	l.LogAttrs(ctx, slog.LevelDebug, "kafka message",
		slog.String("topic", m.Topic),
		slog.String("key", string(m.Key)),
		slog.String("value", string(m.Value)),
	)
}

// beforeDeadline returns a context that ends a quarter of the time left (at
// most a second) before ctx's deadline, or ctx itself when it has none.
func beforeDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return ctx, func() {}
	}
	room := min(time.Until(deadline)/4, time.Second)
	return context.WithDeadline(ctx, deadline.Add(-room))
}
