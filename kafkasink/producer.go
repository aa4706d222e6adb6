package kafkasink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
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
	for _, b := range c.brokers {
		if strings.TrimSpace(b) == "" {
			return nil, fmt.Errorf("%w: empty broker address in %q", ErrConfiguration, c.brokers)
		}
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
	kopts := append([]kgo.Opt{
		kgo.SeedBrokers(c.brokers...),
		kgo.AllowAutoTopicCreation(),
		// One more than ours: franz-go counts a record as buffered until its
		// promise returns, and a done callback may produce again.
		kgo.MaxBufferedRecords(c.maxBuffered + 1),
		kgo.RecordDeliveryTimeout(c.deliveryTimeout),
		// Snappy: of none, snappy, lz4 and zstd, the least CPU per message
		// for client and broker; zstd halves the bytes for more CPU (relaybench -codecs).
		kgo.ProducerBatchCompression(kgo.SnappyCompression(), kgo.NoCompression()),
	}, append(c.securityOpts(), c.clientOpts...)...)
	client, err := kgo.NewClient(kopts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfiguration, err)
	}
	return &Producer{
		client: client,
		logger: c.logger,
		budget: newBudget(int64(c.maxBuffered), c.maxBufferedBytes),
	}, nil
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
	size := messageSize(m)
	if err := p.budget.acquire(ctx, size); err != nil {
		if done != nil {
			done(err)
		}
		return
	}
	if p.logger != nil && p.logger.Enabled(ctx, slog.LevelDebug) {
		logMessage(ctx, p.logger, m)
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
	p.budget.release(size)
	if errors.Is(err, kgo.ErrMaxBuffered) {
		err = fmt.Errorf("%w (franz-go's own limits, from WithClientOptions): %w", ErrBufferFull, err)
	}
	if done != nil {
		done(err)
	}
}

// Flush implements [Sink].
func (p *Producer) Flush(ctx context.Context) error {
	return p.client.Flush(ctx)
}

// Close implements [Sink]: it flushes within ctx, then closes the client,
// failing what could not be delivered.
func (p *Producer) Close(ctx context.Context) error {
	err := p.client.Flush(ctx)
	p.client.Close()
	return err
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
