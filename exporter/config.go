package exporter

import (
	"log/slog"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	otelprop "go.opentelemetry.io/otel/propagation"
)

// Defaults of the size bounds.
const (
	// DefaultMaxMessageBytes keeps every message, request logs included,
	// below Kafka's default max.message.bytes (1,048,588) and franz-go's
	// ProducerBatchMaxBytes (1,000,012), with room for key, headers and the
	// record batch overhead.
	DefaultMaxMessageBytes = 900_000
	// DefaultMaxLines is the number of lines one request log holds.
	DefaultMaxLines = 10_000
	// maxFieldBytes bounds each request field taken from the root span
	// (path, user agent, headers...), so a hostile request cannot crowd the
	// lines out of its own log.
	maxFieldBytes = 8 << 10
)

type config struct {
	prefix, suffix  string
	source          string
	logger          *slog.Logger
	errorHandler    func(error)
	propagator      otelprop.TextMapPropagator
	registerDefault bool
	maxMessageBytes int
	maxLines        int
	cloudEvents     bool
	dropWhenFull    bool
	maxRequestAge   time.Duration
	meterProvider   metric.MeterProvider
	ignoreEnv       bool
	redactedKeys    []string
	loggingTopic    string          // from the environment, when New is given ""
	sampling        *samplingConfig // WithRequestLogSampling; nil: every request log

	rootAttributes    attributeSelection
	maxAttributes     int
	maxAttributeBytes int
}

func newConfig(opts []Option) config {
	c := config{
		logger:            slog.Default(),
		errorHandler:      otel.Handle,
		registerDefault:   true,
		maxMessageBytes:   DefaultMaxMessageBytes,
		maxLines:          DefaultMaxLines,
		maxAttributes:     DefaultMaxAttributes,
		maxAttributeBytes: DefaultMaxAttributeBytes,
		maxRequestAge:     DefaultMaxRequestAge,
		meterProvider:     otel.GetMeterProvider(),
	}
	apply := func(c config) config {
		for _, o := range opts {
			if o != nil {
				c = o.apply(c)
			}
		}
		return c
	}
	// Precedence: options, then the environment, then the defaults.
	if !apply(c).ignoreEnv {
		e := readEnv()
		c.loggingTopic, c.prefix, c.suffix, c.source = e.loggingTopic, e.prefix, e.suffix, e.source
	}
	return apply(c)
}

// Option configures a [Processor]. A nil Option is ignored; each option
// says what its zero or nil value does.
type Option interface {
	apply(config) config
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

// WithTopicPrefix prepends prefix to every topic: event topics and the
// logging topic. The default is RELAYER_TOPIC_PREFIX, else "";
// WithTopicPrefix("") is no prefix (and the variable is not read).
func WithTopicPrefix(prefix string) Option {
	return optionFunc(func(c config) config { c.prefix = prefix; return c })
}

// WithTopicSuffix appends suffix to every topic: event topics and the
// logging topic. The default is RELAYER_TOPIC_SUFFIX, else "";
// WithTopicSuffix("") is no suffix (and the variable is not read).
func WithTopicSuffix(suffix string) Option {
	return optionFunc(func(c config) config { c.suffix = suffix; return c })
}

// WithSource sets the "source" field of events and request logs (and the
// ce_source header). Precedence, first set wins: WithSource, then
// [EnvSource], then [EnvServiceName], then the service.name attribute of the
// resource of the spans the processor sees (set in code with
// resource.WithAttributes; the SDK's "unknown_service:..." default does not
// count), then prefix + loggingTopic + suffix, as in the Python library. The
// resource is only known from the first span the processor sees: events
// emitted before it carry the logging topic. A source longer than 8 KiB (the
// bound of every request field) makes [New] fail with [ErrConfiguration];
// WithSource("") is no option (the next in line applies).
func WithSource(source string) Option {
	return optionFunc(func(c config) config {
		if source != "" { // "" must not hide RELAYER_SOURCE or OTEL_SERVICE_NAME
			c.source = source
		}
		return c
	})
}

// WithLogger sets the logger for the processor's own Debug lines (one per
// request log written, with trace ID, line count and drops). The default is
// [slog.Default]; nil disables them. The messages themselves are logged by
// the sink (see kafkasink).
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c config) config { c.logger = l; return c })
}

// WithErrorHandler sets the function that receives failures no caller can
// receive: delivery failures answered after Emit returned (without WithAck,
// or after the caller stopped waiting), request logs written at the end of a
// request that the sink refused or could not deliver, and evictions. Each
// report names the event ID or the request log. The default is
// [otel.Handle]. WithErrorHandler(nil) makes [New] fail with
// [ErrConfiguration]: failures must go somewhere.
//
// The handler is called on a goroutine of the processor's, one report at a
// time, never on the sink's callback goroutine: it may call Emit (to emit a
// "delivery failed" event, say), even while the producer's buffer is full.
// Reports wait in a queue of 4,096; beyond it they are counted and said in
// the next report, so a handler that blocks loses reports, not deliveries.
// Failures that happen while [Processor.Shutdown] runs are returned by it
// instead, and no call is made after it returned.
func WithErrorHandler(h func(error)) Option {
	return optionFunc(func(c config) config { c.errorHandler = h; return c })
}

// WithPropagator sets the propagator that writes trace context into the
// headers of every produced message. The default is W3C trace context alone
// (traceparent and tracestate); pass a composite with propagation.Baggage to
// add baggage. The global propagator is not used by default, so baggage never
// reaches Kafka unless asked for. WithPropagator(nil) keeps the default.
func WithPropagator(p otelprop.TextMapPropagator) Option {
	return optionFunc(func(c config) config { c.propagator = p; return c })
}

// WithoutDefault keeps the processor from becoming bridge's default
// pipeline: Emit, EmitRaw and Log then reach it only with a context holding a
// span of a tracer provider it belongs to. Useful when several pipelines run
// in one process, as in parallel tests.
func WithoutDefault() Option {
	return optionFunc(func(c config) config { c.registerDefault = false; return c })
}

// WithMaxMessageBytes bounds the size of every message value, overriding
// [DefaultMaxMessageBytes]. An event or line larger than this is refused with
// bridge.ErrMessageTooLarge; a request log is cut to fit, counting what it
// leaves out in dropped_lines. Raise it together with the topic's
// max.message.bytes and franz-go's ProducerBatchMaxBytes. A value below 16
// KiB (0 included) makes [New] fail with [ErrConfiguration].
func WithMaxMessageBytes(n int) Option {
	return optionFunc(func(c config) config { c.maxMessageBytes = n; return c })
}

// WithMaxLines bounds the lines of one request log, overriding
// [DefaultMaxLines]; further lines are counted in dropped_lines. A value
// below 1 makes [New] fail with [ErrConfiguration].
func WithMaxLines(n int) Option {
	return optionFunc(func(c config) config { c.maxLines = n; return c })
}

// WithCloudEvents adds the CloudEvents Kafka binary-mode headers to every
// message, so that CloudEvents-aware consumers read them without code:
// ce_specversion "1.0", ce_id (the relayer-event-id), ce_source (the
// source), ce_type (the event type, the EmitRaw topic, or
// "otelrelayer.request_log"), ce_subject (the event subtype, when set),
// ce_time, and content-type "application/json". Off by default.
func WithCloudEvents() Option {
	return optionFunc(func(c config) config { c.cloudEvents = true; return c })
}

// WithDropWhenFull makes Emit and EmitRaw never wait for producer buffer
// space: an event that finds the buffer full is not written, the call returns
// an error wrapping kafkasink.ErrBufferFull at once, and the request log
// counts it in dropped_events. The default is to wait for space until the
// caller's context is done, then fail the same way. Request logs never wait
// either way: one that finds the buffer full is dropped and reported to the
// error handler (the sink keeps a tenth of its buffer for them). With a
// disk spool (kafkasink.WithSpool) in its default mode, Emit still waits for
// its event's fsync: that is a wait for the disk, never for Kafka or room.
func WithDropWhenFull() Option {
	return optionFunc(func(c config) config { c.dropWhenFull = true; return c })
}

// WithMaxRequestAge sets how long a request may stay open, overriding
// [DefaultMaxRequestAge]; 0 disables eviction, and a negative d makes [New]
// fail with [ErrConfiguration]. A request whose root span has
// not ended by then is evicted: its request log is written as it stands,
// with "evicted":true, the error handler is told, and lines that arrive
// later start a request log of their own. This bounds the memory a caller
// that never ends its spans can hold. Age counts from when the processor saw
// the root start, not from the span's start time, so a root backdated with
// trace.WithTimestamp is not evicted early. Eviction runs in one goroutine,
// which Shutdown stops, every quarter of d (at least 10 ms, at most a
// minute): a request is evicted between d and d plus that period after it
// started.
func WithMaxRequestAge(d time.Duration) Option {
	return optionFunc(func(c config) config { c.maxRequestAge = d; return c })
}

// WithMeterProvider sets the meter provider of the processor's metrics,
// overriding the global one (otel.GetMeterProvider at New). The metrics,
// per topic where it applies: messaging.client.sent.messages (with
// error.type on failures), messaging.client.operation.duration (seconds from
// produce to the broker's answer), otelrelayer.messages.dropped (refused,
// buffer full), otelrelayer.request_logs, otelrelayer.lines.dropped and
// otelrelayer.requests.evicted. WithMeterProvider(nil) keeps the global one.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c config) config {
		if mp != nil {
			c.meterProvider = mp
		}
		return c
	})
}
