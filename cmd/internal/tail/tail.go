package tail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/otelrelayer/otelrelayer/cmd/internal/termtext"
)

// Defaults of [Config].
const (
	// DefaultTimeout bounds Open's first contact with the brokers.
	DefaultTimeout = 5 * time.Second
	// DefaultWindow is the ordering window the tools use: long enough for
	// the partitions of one fetch round to arrive, short enough to read
	// as live.
	DefaultWindow = 500 * time.Millisecond
	// MaxBatchBytes bounds what one fetched record batch may decompress
	// to (franz-go's default is 1 GiB): a batch over it, such as a
	// decompression bomb, is skipped and returned as a [KindSkipped]
	// message. Producers cap batches at 1 MB before compression by
	// default (kgo.ProducerBatchMaxBytes), so real batches stay far
	// below it.
	MaxBatchBytes = 16 << 20
	// maxFetchBytes bounds one fetch response as the broker sends it,
	// compressed (franz-go's default is 50 MiB). What its batches
	// decompress to is bounded by fetchBudget.
	maxFetchBytes = 1 << 20
)

var (
	// ErrNoBroker is wrapped by Open's error when no broker answered
	// within Config.Timeout.
	ErrNoBroker = errors.New("no Kafka broker answered")
	// ErrNoTopic is wrapped by Open's error when a topic of
	// Config.Topics does not exist.
	ErrNoTopic = errors.New("topic does not exist")
	// ErrClosed is returned by Next after Close.
	ErrClosed = errors.New("tail: closed")
)

// Config says what to read. See the package documentation.
type Config struct {
	Brokers []string  // seed brokers, host:port; required
	Topics  []string  // topics to read; empty: every topic but "__…" ones
	Since   time.Time // zero (or before 1970): from the start of each partition
	// FromOffset > 0 starts every partition at this offset (at its end
	// when it holds fewer records); it excludes Since.
	FromOffset int64
	Window     time.Duration // ordering window; 0: arrival order
	Timeout    time.Duration // Open's first contact; 0: DefaultTimeout

	// OnFetchError, when set, receives errors of single partitions while
	// reading; the client keeps retrying them.
	OnFetchError func(topic string, partition int32, err error)

	// ClientOptions are added to the franz-go client's options (TLS, SASL).
	ClientOptions []kgo.Opt
}

// Tail reads messages. See the package documentation.
type Tail struct {
	cfg       Config
	cl        *kgo.Client
	dec       *budgetDecompressor
	queue     []Message           // fetched, not yet held or returned
	next      map[partition]int64 // the offset after the last record read
	skippedTo map[partition]int64 // the last offset of the last run skipped as forged
	held      window
	bytes     int // of the values held
	seq       uint64
	closed    chan struct{}
	once      sync.Once
}

// Open connects to cfg.Brokers and checks that a broker answers and that
// cfg.Topics exist, within cfg.Timeout, before it returns a Tail that
// reads them. ctx bounds Open only.
func Open(ctx context.Context, cfg Config) (*Tail, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("tail: no brokers given")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Window < 0 {
		return nil, fmt.Errorf("tail: window %v is negative", cfg.Window)
	}
	for _, t := range cfg.Topics {
		if t == "" {
			return nil, errors.New("tail: empty topic name")
		}
	}
	if cfg.FromOffset < 0 {
		return nil, fmt.Errorf("tail: offset %d is negative", cfg.FromOffset)
	}
	if cfg.FromOffset > 0 && !cfg.Since.IsZero() {
		return nil, errors.New("tail: give Since or FromOffset, not both")
	}
	start := kgo.NewOffset().AtStart()
	switch {
	case !cfg.Since.IsZero() && cfg.Since.UnixMilli() < 0:
		// Before 1970 is before every record; a negative timestamp would
		// reach the broker, where -1 means the end of a partition.
	case !cfg.Since.IsZero():
		start = kgo.NewOffset().AfterMilli(cfg.Since.UnixMilli())
	case cfg.FromOffset > 0:
		// Past a partition's end, franz-go resets to ConsumeResetOffset's
		// relative part: at the end.
		start = kgo.NewOffset().At(cfg.FromOffset)
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ConsumeResetOffset(start),
		kgo.FetchMaxWait(time.Second),
		kgo.MaxDecompressBatchBytes(MaxBatchBytes),
		kgo.FetchMaxBytes(maxFetchBytes),
	}
	if len(cfg.Topics) > 0 {
		opts = append(opts, kgo.ConsumeTopics(cfg.Topics...))
	} else {
		// Find topics created while reading within about two seconds.
		opts = append(opts, kgo.ConsumeRegex(), kgo.ConsumeTopics(`^[^_]|^_[^_]`),
			kgo.MetadataMinAge(500*time.Millisecond), kgo.MetadataMaxAge(2*time.Second))
	}
	opts = append(opts, cfg.ClientOptions...)
	// Consuming starts when the client is created; check first with a
	// client that consumes nothing.
	check, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(cfg.Brokers...), kgo.MaxDecompressBatchBytes(MaxBatchBytes)}, cfg.ClientOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("tail: %w", err)
	}
	dec, err := newBudgetDecompressor(check) // check's bounds each batch
	if err == nil {
		err = checkTopics(ctx, check, cfg)
	}
	check.Close()
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(append(opts, kgo.WithDecompressor(dec))...)
	if err != nil {
		return nil, fmt.Errorf("tail: %w", err)
	}
	return &Tail{cfg: cfg, cl: cl, dec: dec, closed: make(chan struct{}),
		next: make(map[partition]int64), skippedTo: make(map[partition]int64)}, nil
}

// checkTopics asks the brokers for the metadata of cfg.Topics (all topics
// when empty), without creating any.
func checkTopics(ctx context.Context, cl *kgo.Client, cfg Config) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	brokers := strings.Join(cfg.Brokers, ",")
	req := kmsg.NewPtrMetadataRequest()
	for _, t := range cfg.Topics {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(t)
		req.Topics = append(req.Topics, rt)
	}
	req.AllowAutoTopicCreation = false
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %v", cfg.Timeout)
		}
		return fmt.Errorf("%w at %s: %v", ErrNoBroker, brokers, err)
	}
	var missing []string
	for _, t := range resp.Topics {
		if t.ErrorCode == 0 {
			continue
		}
		name := deref(t.Topic)
		if t.ErrorCode == kerr.UnknownTopicOrPartition.Code {
			missing = append(missing, name)
			continue
		}
		return fmt.Errorf("tail: topic %q on %s: %w", name, brokers, kerr.ErrorForCode(t.ErrorCode))
	}
	if len(missing) == 0 {
		return nil
	}
	existing := "none"
	all := kmsg.NewPtrMetadataRequest()
	if resp, err := all.RequestWith(ctx, cl); err == nil {
		var names []string
		for _, t := range resp.Topics {
			if n := deref(t.Topic); !strings.HasPrefix(n, "__") {
				// Any client names topics: escaped, a line end in one
				// cannot start a line of the error on the terminal.
				names = append(names, termtext.Escape(n))
			}
		}
		slices.Sort(names)
		if len(names) > 0 {
			existing = strings.Join(names, ", ")
		}
	}
	return fmt.Errorf("%w: %q on %s (topics there: %s)", ErrNoTopic, strings.Join(missing, `", "`), brokers, existing)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Next returns the next message: the earliest held one once the message
// held longest has waited the window, or, without a window, the next one
// read. It blocks until there
// is one, ctx is done (ctx's error) or the Tail is closed ([ErrClosed]).
func (t *Tail) Next(ctx context.Context) (Message, error) {
	for {
		if len(t.queue) > 0 && t.cfg.Window == 0 {
			m := t.queue[0]
			t.queue[0] = Message{} // the array outlives the slice: let go of m
			t.queue = t.queue[1:]
			return m, nil
		}
		now := time.Now()
		for _, m := range t.queue {
			t.seq++
			t.held.add(held{m: m, at: m.Time(), arrived: now, seq: t.seq})
			t.bytes += len(m.Value)
		}
		clear(t.queue)
		t.queue = t.queue[:0]
		if t.held.len() > MaxHeld || t.bytes > MaxHeldBytes || (t.held.len() > 0 && !now.Before(t.held.due(t.cfg.Window))) {
			m := t.held.pop()
			t.bytes -= len(m.Value)
			return m, nil
		}

		pollCtx, cancel := ctx, context.CancelFunc(func() {})
		if t.held.len() > 0 {
			pollCtx, cancel = context.WithDeadline(ctx, t.held.due(t.cfg.Window))
		}
		fs := t.cl.PollFetches(pollCtx)
		cancel()
		select {
		case <-t.closed:
			return Message{}, ErrClosed
		default:
		}
		if fs.IsClientClosed() {
			return Message{}, ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return Message{}, err
		}
		fs.EachError(func(topic string, partition int32, err error) {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errFetchBudget) {
				return // errFetchBudget: fetched again after this read
			}
			if tooLarge, ok := errors.AsType[*kgo.ErrDecompressTooLarge](err); ok {
				t.skip(tooLarge)
				return
			}
			if t.cfg.OnFetchError != nil {
				t.cfg.OnFetchError(topic, partition, err)
			}
		})
		fs.EachPartition(func(p kgo.FetchTopicPartition) { t.takeRecords(ctx, p) })
		t.dec.read()
	}
}

// skip moves the reading of the partition of a batch that decompresses to
// more than MaxBatchBytes past it, and queues the message that says so.
// franz-go stops the partition at such a batch until told to move on.
func (t *Tail) skip(b *kgo.ErrDecompressTooLarge) {
	t.cl.SetOffsets(map[string]map[int32]kgo.EpochOffset{
		b.Topic: {b.Partition: {Epoch: b.Epoch, Offset: b.NextOffset}},
	})
	if t.next != nil {
		t.next[partition{b.Topic, b.Partition}] = b.NextOffset
	}
	t.queue = append(t.queue, Message{
		Topic:     b.Topic,
		Partition: b.Partition,
		Offset:    b.Offset,
		Timestamp: time.Now(),
		Kind:      KindSkipped,
		SkippedTo: b.NextOffset - 1,
		NotOurs:   fmt.Sprintf("a record batch that decompresses to more than %d MiB (a decompression bomb?)", MaxBatchBytes>>20),
	})
}

// fromRecord copies what a Message keeps of r: the client's record bytes
// are slices of the whole fetch response, which a kept message would
// otherwise hold in memory with every other message read with it.
func fromRecord(r *kgo.Record) Message {
	m := Message{
		Topic:     r.Topic,
		Partition: r.Partition,
		Offset:    r.Offset,
		Key:       bytes.Clone(r.Key),
		Value:     bytes.Clone(r.Value),
		Timestamp: r.Timestamp,
	}
	if len(r.Headers) > 0 {
		m.Headers = make([]Header, len(r.Headers))
		for i, h := range r.Headers {
			m.Headers[i] = Header{Key: h.Key, Value: bytes.Clone(h.Value)}
		}
	}
	Decode(&m, r.Value)
	return m
}

// Close stops reading; a Next in progress returns [ErrClosed].
func (t *Tail) Close() {
	t.once.Do(func() {
		close(t.closed)
		t.cl.Close()
	})
}
