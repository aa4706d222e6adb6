package kafkasink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// ErrClosed is given to the done callback of a message produced after
// [Producer.Close] began, and returned by Flush after Close. It wraps
// kgo.ErrClientClosed.
var ErrClosed = fmt.Errorf("kafkasink: producer closed: %w", kgo.ErrClientClosed)

// Producer is a [Sink] over a franz-go client: messages wait in memory, or
// on disk with [WithSpool], until a broker acknowledges them.
type Producer struct {
	client *kgo.Client
	path   delivery // *memoryProducer, or *spool with WithSpool
}

// delivery is one way to Kafka behind Producer: in memory only, or through
// the spool on disk.
type delivery interface {
	// produce is Sink.Produce with o, or with the options ctx implies
	// (legacyOptions) when fromCtx is set.
	produce(ctx context.Context, m Message, o ProduceOptions, fromCtx bool, done func(error))
	flush(ctx context.Context) error
	close(ctx context.Context) error
}

var (
	_ Sink        = (*Producer)(nil)
	_ OptionsSink = (*Producer)(nil)
	_ delivery    = (*memoryProducer)(nil)
	_ delivery    = (*spool)(nil)
)

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
	c, err := c.resolveConnection()
	if err != nil {
		return nil, err
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
	if sp != nil {
		sp.start(client, newBudget(int64(c.maxBuffered), c.maxBufferedBytes), brokerErrs)
		return &Producer{client: client, path: sp}, nil
	}
	return &Producer{client: client, path: newMemoryProducer(client, c, brokerErrs)}, nil
}

// Client returns the underlying franz-go client, for metrics and admin calls.
// Closing it directly bypasses [Producer.Close].
func (p *Producer) Client() *kgo.Client { return p.client }

// Produce implements [Sink]. ctx bounds only the wait for buffer space (and,
// with [WithSpool], for the disk): the record is produced with a context of
// its own, so that a request context canceled after Produce returns cannot
// cancel the delivery of a message that was accepted. A ctx already done
// on entry means [ProduceOptions] NoWait, as the Sink contract says.
func (p *Producer) Produce(ctx context.Context, m Message, done func(error)) {
	if ctx == nil {
		ctx = context.Background()
	}
	p.path.produce(ctx, m, ProduceOptions{}, true, done)
}

// ProduceWith implements [OptionsSink]: Produce with o, whatever ctx holds.
func (p *Producer) ProduceWith(ctx context.Context, m Message, o ProduceOptions, done func(error)) {
	if ctx == nil {
		ctx = context.Background()
	}
	p.path.produce(ctx, m, o, false, done)
}

// Flush implements [Sink]: it waits until every message accepted before the
// call is acknowledged or has failed, or ctx is done. After Close it
// returns [ErrClosed].
func (p *Producer) Flush(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	return p.path.flush(ctx)
}

// Close implements [Sink]. It never outlasts ctx.
//
// In memory, it waits within ctx until every record is delivered or has
// failed, then closes the client, failing the records not delivered yet.
// It returns nil when every record produced was acknowledged, else an error
// wrapping [ErrUndelivered] that counts the records not delivered (failed
// since Close began, or still unanswered when ctx ended) and names the last
// broker error. When ctx has a deadline, the flush ends a little before it
// (a quarter of the time left, at most one second), so that closing the
// client and calling the done callbacks of the records it fails fit in
// what remains: every done callback has then been called when Close
// returns. A context canceled without a deadline leaves no such room: the
// callbacks of the records failed by closing the client may then run just
// after Close returned.
//
// With [WithSpool], Close delivers until the spool is empty or ctx ends, as
// long as a broker can be reached; it gives up within about a second when
// none can. It returns nil only when every record was delivered, otherwise
// an error wrapping [ErrSpooled] that says how many records remain in which
// file (the next [New] on the directory produces them, if the disk outlives
// the process). It makes the spool's final commit within ctx, and nothing
// is committed after it returns. See Spool in the package documentation.
func (p *Producer) Close(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	return p.path.close(ctx)
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
