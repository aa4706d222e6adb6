package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/internal/eventid"
	"github.com/otelrelayer/otelrelayer/internal/topicname"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// Processor is the SDK side of otelrelayer: a span processor that turns each
// local root span into one request log, and the bridge.Pipeline that writes
// the events of Emit and the lines of Log.
//
// A local root is a span whose parent is absent or remote. Its children, and
// every Emit and Log whose context holds one of them, add to its request log,
// which is produced on the logging topic when the root ends.
//
// Processor only sees recording spans: sample with sdktrace.AlwaysRecord so
// that every request gets its log whatever the trace sampling rate.
//
// A Processor is safe for concurrent use. OnStart and OnEnd never wait for
// Kafka: a request log that finds the sink full is dropped and reported to
// the error handler.
type Processor struct {
	cfg          config
	sink         kafkasink.Sink
	loggingTopic string
	source       string

	requests requestTable
	bound    sync.Map // trace.TracerProvider → struct{}: providers bound in bridge

	shut     atomic.Bool
	shutOnce sync.Once
	shutErr  error

	metrics     *metrics
	logDone     func(error)   // the done callback of request logs, untimed
	stopJanitor chan struct{} // nil without eviction
	janitorDone chan struct{}
}

var (
	_ sdktrace.SpanProcessor = (*Processor)(nil)
	_ bridge.Pipeline        = (*Processor)(nil)
)

// New returns a processor that writes request logs to the topic
// prefix + loggingTopic + suffix and events to prefix + eventType + suffix,
// through sink. The processor owns sink from then on: Shutdown closes it.
// An empty loggingTopic is taken from RELAYER_LOGGING_TOPIC; see env.go for
// the other variables New reads, and [WithoutEnvironment].
//
// Unless [WithoutDefault] is given, the processor becomes bridge's default
// pipeline (see bridge.Register). Errors name the invalid argument; an
// invalid logging topic wraps bridge.ErrInvalidTopic.
func New(loggingTopic string, sink kafkasink.Sink, opts ...Option) (*Processor, error) {
	c := newConfig(opts)
	if sink == nil {
		return nil, errors.New("exporter: sink is nil")
	}
	if loggingTopic == "" {
		loggingTopic = c.loggingTopic
	}
	if loggingTopic == "" {
		return nil, fmt.Errorf("%w: logging topic is empty (and %s is not set)", bridge.ErrInvalidTopic, EnvLoggingTopic)
	}
	full := c.prefix + loggingTopic + c.suffix
	if err := topicname.Validate(full); err != nil {
		return nil, fmt.Errorf("%w: logging topic: %w", bridge.ErrInvalidTopic, err)
	}
	if c.maxMessageBytes < minMessageBytes {
		return nil, fmt.Errorf("exporter: WithMaxMessageBytes(%d) is below the minimum of %d", c.maxMessageBytes, minMessageBytes)
	}
	if c.maxLines < 1 {
		return nil, fmt.Errorf("exporter: WithMaxLines(%d) must be at least 1", c.maxLines)
	}
	if c.errorHandler == nil {
		return nil, errors.New("exporter: WithErrorHandler(nil): an error handler is required")
	}
	ms, err := newMetrics(c.meterProvider)
	if err != nil {
		return nil, fmt.Errorf("exporter: creating metrics: %w", err)
	}
	p := &Processor{cfg: c, sink: sink, loggingTopic: full, source: c.source, metrics: ms}
	shared := &delivery{p: p, topic: full, what: "request log"}
	shared.state.Store(deliveryReturned) // every answer is reported
	p.logDone = shared.done
	if p.source == "" {
		p.source = full
	}
	if c.maxRequestAge < 0 {
		return nil, fmt.Errorf("exporter: WithMaxRequestAge(%v) must not be negative", c.maxRequestAge)
	}
	if c.registerDefault {
		bridge.Register(p)
	}
	if c.maxRequestAge > 0 {
		p.stopJanitor, p.janitorDone = make(chan struct{}), make(chan struct{})
		go p.janitor(p.stopJanitor, p.janitorDone)
	}
	return p, nil
}

// minMessageBytes leaves room for a request log's fields besides its lines.
const minMessageBytes = 16 << 10

// LoggingTopic returns the full logging topic, prefix and suffix included.
func (p *Processor) LoggingTopic() string { return p.loggingTopic }

// Source returns the source field written in events and request logs.
func (p *Processor) Source() string { return p.source }

// OnStart implements sdktrace.SpanProcessor: it opens a request for a local
// root and links a child to its root's request.
func (p *Processor) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	if p.shut.Load() {
		return
	}
	p.bind(s.TracerProvider())
	id := s.SpanContext().SpanID()
	if parent := s.Parent(); parent.IsValid() && !parent.IsRemote() {
		// Not a local root. When its request has ended (or was never
		// ours), the span joins none: a Log in it writes a one-line
		// request log, so nothing is lost, and a long job evicted early
		// does not turn each later child span into a request of its own.
		if req := p.requests.get(parent.SpanID()); req != nil {
			req.addChild(id, &p.requests)
		}
		return
	}
	p.requests.put(id, &request{root: id, span: s})
}

func (p *Processor) bind(tp trace.TracerProvider) {
	if _, ok := p.bound.Load(tp); ok {
		return
	}
	if bridge.Bind(tp, p) == nil {
		p.bound.Store(tp, struct{}{})
	}
}

// OnEnd implements sdktrace.SpanProcessor: the errors of any span become
// error lines of its request; the end of a root produces its request log. It
// does not wait for Kafka.
func (p *Processor) OnEnd(s sdktrace.ReadOnlySpan) {
	id := s.SpanContext().SpanID()
	req := p.requests.get(id)
	if req == nil {
		return
	}
	// No scratch array: it would escape, 512 bytes a span; error lines,
	// which are rare, allocate their own buffer.
	appendErrorLines(nil, s, func(line []byte) {
		req.addLine(line, p.cfg.maxLines, p.cfg.maxMessageBytes)
	})
	if req.root != id {
		if req.childEnded(id) { // beyond what a request keeps: forget it now
			p.requests.del(id)
		}
		return
	}
	p.finish(doneContext, req, s, s.EndTime(), false)
}

// finish ends req and produces its request log, waiting for buffer space no
// longer than ctx allows.
// It does nothing when the request has already ended: its root span's end,
// eviction and Shutdown may race, and only the first writes the log.
func (p *Processor) finish(ctx context.Context, req *request, s sdktrace.ReadOnlySpan, end time.Time, evicted bool) {
	e, ok := req.end(evicted)
	if !ok {
		return
	}
	p.requests.del(req.root)
	for _, c := range e.children {
		p.requests.del(c)
	}
	ri := readRoot(s.Attributes())
	h := requestHead{
		source:       p.source,
		loggingTopic: p.loggingTopic,
		start:        s.StartTime(),
		elapsed:      end.Sub(s.StartTime()),
		info:         ri,
		service:      ri.service(s.Name()),
		span:         s.SpanContext(),
	}
	_ = p.writeRequestLog(ctx, &h, e, false)
	e.release()
}

// doneContext makes a sink fail at once instead of waiting for buffer space.
var doneContext = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// writeRequestLog produces a request log, cutting lines from the end when the
// whole would exceed the maximum message size. With caller set, a failure
// known before Produce returns is returned rather than reported.
func (p *Processor) writeRequestLog(ctx context.Context, h *requestHead, e endedRequest, caller bool) error {
	lines, ends, dropped := e.lines, e.ends, e.droppedLines
	// Head and tail are encoded on the stack first, so that the value is
	// allocated at its exact size.
	var headBuf [512]byte
	head := appendRequestHead(headBuf[:0], h)
	room := p.cfg.maxMessageBytes - len(head) - maxTailBytes
	n := len(ends)
	for n > 0 && int(ends[n-1]) > room {
		n--
	}
	if n < len(ends) {
		dropped += len(ends) - n
		if n == 0 {
			lines = nil
		} else {
			lines = lines[:ends[n-1]]
		}
	}
	var tailBuf [maxTailBytes]byte
	tail := appendRequestTail(tailBuf[:0], dropped, e.droppedEvents, e.evicted)
	value := make([]byte, 0, len(head)+len(lines)+len(tail))
	value = append(append(append(value, head...), lines...), tail...)

	now := time.Now()
	blk := e.headers
	if blk == nil {
		blk = new(headerBlock)
	}
	headers, key := p.headers(context.Background(), blk, h.span, messageMeta{id: eventid.New(now), ceType: RequestLogType, time: h.start}, true)
	msg := kafkasink.Message{Topic: p.loggingTopic, Key: key, Value: value, Headers: headers}
	add(p.metrics.requestLogs, 1)
	if dropped > 0 {
		add(p.metrics.droppedLines, int64(dropped))
	}
	var d *delivery
	done := p.logDone // no per-message state unless needed
	if start := p.metrics.start(); caller || !start.IsZero() {
		d = &delivery{p: p, topic: p.loggingTopic, what: "request log", start: start}
		done = d.done
	}
	p.sink.Produce(ctx, msg, done)
	if caller {
		if err, settled := d.returned(); settled && err != nil {
			if p.shut.Load() { // shut down while the call ran
				return fmt.Errorf("%w: producing request log to %q: %w", bridge.ErrShutdown, p.loggingTopic, err)
			}
			return fmt.Errorf("otelrelayer: producing request log to %q: %w", p.loggingTopic, err)
		}
	}
	if l := p.cfg.logger; l != nil && l.Enabled(ctx, slog.LevelDebug) {
		l.LogAttrs(context.Background(), slog.LevelDebug, "otelrelayer: request log",
			slog.String("topic", p.loggingTopic), slog.String("trace_id", string(key)),
			slog.Int("lines", n), slog.Int("dropped_lines", dropped))
	}
	return nil
}

// maxTailBytes is the most appendRequestTail writes.
const maxTailBytes = len(`],"dropped_lines":-9223372036854775808,"dropped_events":-9223372036854775808,"evicted":true}`)

// ForceFlush implements sdktrace.SpanProcessor: it waits within ctx until
// every message produced so far is delivered or has failed.
func (p *Processor) ForceFlush(ctx context.Context) error {
	if p.shut.Load() {
		return nil
	}
	return p.sink.Flush(ctx)
}

// Shutdown implements sdktrace.SpanProcessor. Requests still open are
// written as they stand (their duration runs to the shutdown), then the sink
// is flushed and closed within ctx. Afterwards Emit, EmitRaw and Log return
// bridge.ErrShutdown. The processor stays registered in bridge so that they
// do; bridge.Unregister removes it. Only the first call does the work; later
// calls return its result.
func (p *Processor) Shutdown(ctx context.Context) error {
	p.shutOnce.Do(func() {
		p.shut.Store(true)
		if p.stopJanitor != nil {
			close(p.stopJanitor)
			<-p.janitorDone
		}
		now := time.Now()
		for _, req := range p.requests.openRoots() {
			p.finish(ctx, req, req.span, now, false)
		}
		p.shutErr = p.sink.Close(ctx)
	})
	return p.shutErr
}
