package exporter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	sc "github.com/otelrelayer/otelrelayer/internal/semconvkeys"
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
	loggingTopic string // prefix + topicName + suffix
	topicName    string // as given to New: the logging_topic field
	source       string // configured, else the full logging topic
	// fromResource is the service.name of the first resource seen, the
	// source when no option or variable set one; nil until then.
	fromResource   atomic.Pointer[string]
	sourceIsConfig bool

	requests requestTable
	recent   recentTable // spans of ended requests, for late lines
	bound    sync.Map    // trace.TracerProvider → struct{}: providers bound in bridge
	// lastBound is the provider bound last, found without hashing: most
	// programs have one.
	lastBound atomic.Pointer[trace.TracerProvider]

	shut     atomic.Bool
	shutOnce sync.Once
	shutErr  error

	reports     reporter    // failures for the error handler
	undelivered undelivered // failures while Shutdown runs, for its error

	metrics *metrics
	sampler *sampler    // nil: every request log is written
	logDone func(error) // the done callback of request logs, untimed
	// reuse: the sink releases messages at done (kafkasink.MessageReleaser),
	// so events' allocations and request logs' values are pooled.
	reuse       bool
	stopJanitor chan struct{} // nil without eviction
	ticks       atomic.Uint64 // eviction clock: janitor ticks so far
	janitorDone chan struct{}
}

var (
	_ sdktrace.SpanProcessor = (*Processor)(nil)
	_ bridge.Pipeline        = (*Processor)(nil)
)

// New returns a processor that writes request logs to the topic
// prefix + loggingTopic + suffix and events to prefix + eventType + suffix,
// through sink. The processor owns sink from then on: Shutdown closes it.
// An empty loggingTopic is taken from [EnvLoggingTopic]; [EnvTopicPrefix],
// [EnvTopicSuffix], [EnvSource] and [EnvServiceName] fill in what options
// leave unset, unless [WithoutEnvironment] is given.
//
// Unless [WithoutDefault] is given, the processor becomes bridge's default
// pipeline (see bridge.Register). Every configuration error wraps
// [ErrConfiguration] and names the invalid argument or option; an invalid
// logging topic also wraps bridge.ErrInvalidTopic.
func New(loggingTopic string, sink kafkasink.Sink, opts ...Option) (*Processor, error) {
	c := newConfig(opts)
	if sink == nil {
		return nil, fmt.Errorf("%w: sink is nil", ErrConfiguration)
	}
	if loggingTopic == "" {
		loggingTopic = c.loggingTopic
	}
	if loggingTopic == "" {
		return nil, fmt.Errorf("%w: %w: logging topic is empty (and %s is not set)", ErrConfiguration, bridge.ErrInvalidTopic, EnvLoggingTopic)
	}
	full := c.prefix + loggingTopic + c.suffix
	if err := topicname.Validate(full); err != nil {
		return nil, fmt.Errorf("%w: %w: logging topic: %w", ErrConfiguration, bridge.ErrInvalidTopic, err)
	}
	if c.maxMessageBytes < minMessageBytes {
		return nil, fmt.Errorf("%w: WithMaxMessageBytes(%d) is below the minimum of %d", ErrConfiguration, c.maxMessageBytes, minMessageBytes)
	}
	if c.maxLines < 1 {
		return nil, fmt.Errorf("%w: WithMaxLines(%d) must be at least 1", ErrConfiguration, c.maxLines)
	}
	if c.errorHandler == nil {
		return nil, fmt.Errorf("%w: WithErrorHandler(nil): an error handler is required", ErrConfiguration)
	}
	if len(c.source) > maxFieldBytes {
		return nil, fmt.Errorf("%w: the source (WithSource, %s or %s) is %d bytes, more than the %d a request field may hold", ErrConfiguration, EnvSource, EnvServiceName, len(c.source), maxFieldBytes)
	}
	if err := c.rootAttributes.validate(); err != nil {
		return nil, err
	}
	if c.maxAttributes < 1 {
		return nil, fmt.Errorf("%w: WithMaxAttributes(%d) must be at least 1 (WithoutRootAttributes keeps none of the root span's)", ErrConfiguration, c.maxAttributes)
	}
	if c.maxAttributeBytes < 1 {
		return nil, fmt.Errorf("%w: WithMaxAttributeBytes(%d) must be at least 1", ErrConfiguration, c.maxAttributeBytes)
	}
	if c.maxRequestAge < 0 {
		return nil, fmt.Errorf("%w: WithMaxRequestAge(%v) must not be negative", ErrConfiguration, c.maxRequestAge)
	}
	ms, err := newMetrics(c.meterProvider, sink)
	if err != nil {
		return nil, fmt.Errorf("exporter: creating metrics: %w", err)
	}
	smp, err := newSampler(c.sampling, c.meterProvider)
	if err != nil {
		_ = ms.stop()
		return nil, err
	}
	p := &Processor{cfg: c, sink: sink, loggingTopic: full, topicName: loggingTopic, source: c.source, metrics: ms, sampler: smp}
	p.reports.handler = c.errorHandler
	p.logDone = (&logDelivery{p: p}).done
	if r, ok := sink.(kafkasink.MessageReleaser); ok {
		p.reuse = r.ReleasesMessages()
	}
	p.sourceIsConfig = p.source != ""
	if !p.sourceIsConfig {
		p.source = full
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

// Source returns the source field written in events and request logs. When
// neither an option nor a variable sets it, it is the full logging topic
// until the processor sees its first span, and then that span's resource's
// service.name if it has one (see [WithSource]).
func (p *Processor) Source() string {
	if s := p.fromResource.Load(); s != nil {
		return *s
	}
	return p.source
}

// OnStart implements sdktrace.SpanProcessor: it opens a request for a local
// root and links a child to its root's request.
func (p *Processor) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	if p.shut.Load() {
		p.retireProvider(s.TracerProvider())
		return
	}
	p.bind(s)
	id := s.SpanContext().SpanID()
	if parent := s.Parent(); parent.IsValid() && !parent.IsRemote() {
		// Not a local root. When its request has ended (or was never
		// ours), the span joins none: a Log in it writes a one-line
		// request log, so nothing is lost, and a long job evicted early
		// does not turn each later child span into a request of its own.
		if req := p.requests.get(parent.SpanID()); req != nil && req.addChild(id, &p.requests) {
			return
		}
		// Its request has ended (before, or while, it started): the
		// request is remembered before its end is visible.
		if ref, ok := p.recent.get(parent.SpanID()); ok {
			p.recent.put(id, ref) // its lines and errors are late ones
		}
		return
	}
	p.requests.put(id, &request{root: id, span: s, seenTick: p.ticks.Load()})
}

// bind routes bridge calls with spans of s's provider to p, and takes the
// source from the provider's resource when nothing configured it. It does
// the work once per provider.
func (p *Processor) bind(s sdktrace.ReadWriteSpan) {
	tp := s.TracerProvider()
	if last := p.lastBound.Load(); last != nil && *last == tp {
		return
	}
	if _, ok := p.bound.Load(tp); ok {
		p.rememberBound(tp)
		return
	}
	if !p.sourceIsConfig && p.fromResource.Load() == nil {
		if name, ok := s.Resource().Set().Value(semconvServiceName); ok && name.AsString() != "" && !strings.HasPrefix(name.AsString(), "unknown_service") {
			v := name.AsString()
			if len(v) > maxFieldBytes {
				v = v[:maxFieldBytes]
			}
			p.fromResource.CompareAndSwap(nil, &v)
		}
	}
	if bridge.Bind(tp, p) == nil {
		p.bound.Store(tp, struct{}{})
		p.rememberBound(tp)
		// Shutdown may have run since OnStart checked: its Retire then
		// came before this Bind, which would keep p and tp registered.
		// Shutdown sets shut before it retires, so one of the two sees
		// the other.
		if p.shut.Load() {
			bridge.Retire(p)
		}
	}
}

// rememberBound makes tp the provider bind finds first. tp is its own
// parameter so that only this call moves it to the heap.
func (p *Processor) rememberBound(tp trace.TracerProvider) {
	p.lastBound.Store(&tp)
}

// retireProvider makes bridge calls with spans of tp, a provider first seen
// after Shutdown, return bridge.ErrShutdown.
func (p *Processor) retireProvider(tp trace.TracerProvider) {
	if _, seen := p.bound.LoadOrStore(tp, struct{}{}); !seen {
		bridge.RetireProvider(tp, p)
	}
}

// OnEnd implements sdktrace.SpanProcessor: the errors of any span become
// error lines of its request; the end of a root produces its request log. It
// does not wait for Kafka.
func (p *Processor) OnEnd(s sdktrace.ReadOnlySpan) {
	id := s.SpanContext().SpanID()
	req := p.requests.get(id)
	if req == nil {
		// A span that ended after its request (a child outliving its
		// root, an evicted root): its errors go into a late message.
		if ref, ok := p.endedRequestOf(s); ok {
			p.writeLateErrors(ref, s)
		}
		return
	}
	// No scratch array: it would escape, 512 bytes a span; error lines,
	// which are rare, allocate their own buffer.
	var late endedRequest // the errors that came after the request ended
	appendErrorLines(nil, s, func(line []byte) {
		if !req.addLine(line, p.cfg.maxLines, p.cfg.maxMessageBytes) {
			late.appendLine(line)
		}
	})
	if len(late.ends) > 0 {
		if ref, ok := p.endedRequestOf(s); ok {
			p.writeLate(ref, s, late)
		}
		return
	}
	if req.root != id {
		if forget, ok := req.childEnded(id); ok { // beyond what a request keeps
			p.requests.del(forget)
		}
		return
	}
	p.finish(req, s, s.EndTime(), false)
}

// finish ends req and produces its request log, waiting for buffer space no
// longer than ctx allows. ended is the root as OnEnd got it, or nil when the
// root has not ended (eviction, Shutdown): the SDK's ended span is a
// snapshot whose getters take no lock, where the live span's each take the
// span's mutex.
// It does nothing when the request has already ended: its root span's end,
// eviction and Shutdown may race, and only the first writes the log.
func (p *Processor) finish(req *request, ended sdktrace.ReadOnlySpan, end time.Time, evicted bool) {
	var h requestHead
	e, ok := req.end(evicted, ended, func(s sdktrace.ReadOnlySpan, children []trace.SpanID) {
		start := s.StartTime()
		h = requestHead{
			source:       p.Source(),
			loggingTopic: p.topicName,
			start:        start,
			elapsed:      end.Sub(start),
			span:         s.SpanContext(),
			parent:       s.Parent(),
		}
		h.info.read(s.Attributes())
		if k := s.SpanKind(); k == trace.SpanKindClient || k == trace.SpanKindProducer {
			// An outbound call as a root (a job calling an API): the HTTP
			// and RPC attributes describe the server it called, not a
			// request this service served. It is logged as a job: service
			// = span name.
			h.info.kind = kindOther
		}
		h.info.routeFromName(s.Name(), s.InstrumentationScope().Name)
		h.service = h.info.service(s.Name())
		// Remembered before the request is seen ended, so that a line, an
		// event or an error that cannot join it finds it ended (and goes
		// into a late message) rather than nowhere.
		p.remember(children, endedRef{root: h.span, service: h.service})
	})
	if !ok {
		return
	}
	set, setDropped := e.attrs.fields()
	h.attributes, h.attributeCount, h.droppedAttributes = appendAttributes(nil, h.info.kind, e.span.Attributes(), set, p.cfg.rootAttributes, p.attributeBounds())
	h.droppedAttributes += setDropped
	p.requests.del(req.root)
	for _, c := range e.children {
		p.requests.del(c)
	}
	p.writeRequestLog(&h, e)
	e.release()
}

// semconvServiceName is the resource attribute naming the service.
const semconvServiceName = sc.ServiceName

// ForceFlush implements sdktrace.SpanProcessor: it waits within ctx until
// every message produced so far is delivered or has failed.
func (p *Processor) ForceFlush(ctx context.Context) error {
	if p.shut.Load() {
		return nil
	}
	if err := p.sink.Flush(ctx); err != nil {
		return err
	}
	return p.reports.flush(ctx)
}

// Shutdown implements sdktrace.SpanProcessor. Requests still open are
// written as they stand (their duration runs to the shutdown), then the sink
// is flushed and closed within ctx, and the error handler's queue drained:
// Shutdown never outlasts ctx, and no error-handler call happens after it
// returned. Messages that failed while it ran, or that the sink could not
// deliver within ctx, make it return an error wrapping
// kafkasink.ErrUndelivered that counts the events (naming the first by ID)
// and the request logs, with the sink's cause (the last broker error for a
// kafkasink.Producer); they are not also given to the error handler. The
// error lines of spans that end while it runs, after their request's log
// was written, are not written: its error counts them, wrapping
// bridge.ErrShutdown.
// Afterwards Emit, EmitRaw and Log return
// bridge.ErrShutdown for contexts that would have reached the processor:
// through bridge.Retire, the registry keeps only tombstones that hold neither
// the processor nor its tracer providers, so both can be garbage collected
// (bridge.Unregister removes the tombstones too). A processor that saw no
// span of its provider before Shutdown cannot know the provider: calls with
// its later spans get bridge.ErrShutdown if the provider still starts spans
// through the processor (Shutdown called directly), and otherwise, after
// TracerProvider.Shutdown, go to the default pipeline, or return
// bridge.ErrNotInstalled when there is none (see bridge.ErrShutdown). Only the
// first call does the work; later calls return its result.
func (p *Processor) Shutdown(ctx context.Context) error {
	p.shutOnce.Do(func() {
		p.shut.Store(true)
		bridge.Retire(p)
		if p.stopJanitor != nil {
			close(p.stopJanitor)
			<-p.janitorDone
		}
		now := time.Now()
		for _, req := range p.requests.openRoots() {
			// Never waiting for room: the time of ctx is the flush's.
			p.finish(req, nil, now, false)
		}
		closeErr := p.sink.Close(ctx)
		_ = p.metrics.stop() // fails only for a callback already removed
		reportErr := p.reports.close(ctx)
		p.shutErr = errors.Join(p.undelivered.err(closeErr), reportErr)
	})
	return p.shutErr
}
