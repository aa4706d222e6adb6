package bridge

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/internal/jsonenc"
	"github.com/otelrelayer/otelrelayer/internal/selflog"
)

// isSelfLog reports whether ctx is, or derives from, one the library passed
// to its own loggers, also when a handler put a span into it: a walk of
// ctx's parents on every call (some 15ns for a request-deep context,
// BenchmarkIsSelfLog), since trace.ContextWithSpan derives a context
// without looking into its parent, so nothing short of the walk tells.
func isSelfLog(ctx context.Context) bool {
	return selflog.Is(ctx)
}

// Span event names and attribute keys recorded by Emit, EmitRaw and Log.
const (
	EmitEventName = "relayer.emit"
	LogEventName  = "relayer.log"

	EventTypeKey    = attribute.Key("relayer.event_type")
	EventSubtypeKey = attribute.Key("relayer.event_subtype")
	TopicKey        = attribute.Key("relayer.topic")
	EventIDKey      = attribute.Key("relayer.event_id")
	LevelKey        = attribute.Key("relayer.log_level")
)

// Emit writes a domain event to the topic named after eventType (with the
// pipeline's prefix and suffix), at once, whatever the sampling decision and
// whether or not a span is active:
//
//	{"source":…,"event_type":…,"event_subtype":…,"payload":…,"timestamp":…}
//
// The event also becomes a line of the current request's log and a
// relayer.emit event on the active span. payload is encoded once, with
// encoding/json's rules. Emit returns once the record is handed to the
// producer; with [WithAck] it waits for the broker.
//
// A context that otelrelayer passed to a logger of its own (a slog handler
// turning every record into an event receives them), or one derived from
// it, also with a span the handler started, is refused with [ErrSelfLog]:
// the library's diagnostics never become messages.
//
// A nil ctx means context.Background(): the event goes to the default
// pipeline, as any call whose context holds no span, and becomes no line.
//
// A call that returns an error wrote nothing, with these exceptions: with
// [WithAck], an error wrapping the context's error says that the caller
// stopped waiting after the event was handed to the producer. The event may
// still be delivered (a later failure goes to the exporter's error handler),
// it is a line of its request marked "unacknowledged":true, and retrying it
// may write it twice. With WithAck and a disk spool, an error wrapping
// kafkasink.ErrSpooled says the event waits on disk (see [WithAck]). With
// several pipelines bound to the span's tracer provider (a dual write),
// each gets the call, and the error joins the failures of those that
// failed: the others wrote the event.
func Emit(ctx context.Context, eventType, eventSubtype string, payload any, opts ...EmitOption) error {
	if eventType == "" {
		return fmt.Errorf("%w: event type is empty", ErrInvalidTopic)
	}
	return emit(ctx, false, eventType, eventSubtype, payload, opts)
}

// EmitRaw writes message as JSON, untouched, to prefix + topic + suffix. It
// is recorded like Emit: a line of the request log and a span event. A nil
// ctx means context.Background(), and errors are as for Emit.
func EmitRaw(ctx context.Context, topic string, message any, opts ...EmitOption) error {
	if topic == "" {
		return fmt.Errorf("%w: topic is empty", ErrInvalidTopic)
	}
	return emit(ctx, true, topic, "", message, opts)
}

func emit(ctx context.Context, raw bool, topic, subtype string, payload any, opts []EmitOption) error {
	if ctx == nil {
		ctx = context.Background()
	}
	span := trace.SpanFromContext(ctx)
	if isSelfLog(ctx) {
		return ErrSelfLog
	}
	p, err := pipelineFor(span)
	if err != nil {
		return err
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if err := encodePayload(buf, payload); err != nil {
		return err
	}
	c := newEmitConfig(opts)
	r := EmitRecord{
		Span:         span.SpanContext(),
		Time:         time.Now(),
		Raw:          raw,
		Topic:        topic,
		EventSubtype: subtype,
		Value:        *buf,
		Key:          c.key,
		Ack:          c.ack,
	}
	res, err := p.Emit(ctx, r)
	if err != nil {
		return err
	}
	if span.IsRecording() {
		attrs := make([]attribute.KeyValue, 0, 4)
		attrs = append(attrs, TopicKey.String(res.Topic), EventIDKey.String(res.EventID.String()))
		if !raw {
			attrs = append(attrs, EventTypeKey.String(topic), EventSubtypeKey.String(subtype))
		}
		span.AddEvent(EmitEventName, trace.WithTimestamp(r.Time), trace.WithAttributes(attrs...))
	}
	return nil
}

// Log adds a line to the current request's log:
//
//	{"log_level":…,"payload":…,"timestamp":…}
//
// and a relayer.log event to the active span. Outside any request it writes
// a request log holding just this line at once, so nothing is lost. level is
// free-form ("debug", "info", "error"...) but must not be empty. A nil ctx
// means context.Background().
//
// The one-line message has the form of a request log with service_time 0
// and date the line's time. When the line came after its request's log was
// written (a goroutine outliving its request), it is marked "late":true and
// carries the request's service and its root's trace_id and span_id, to
// join on. Outside any request it is marked "outside_request":true, with an
// empty service, and trace_id, span_id and the traceparent header only when
// ctx holds a span.
//
// A context that otelrelayer passed to a logger of its own (the Debug line
// of every produced message, reaching a slog handler that calls Log), or one
// derived from it, also with a span the handler started, is ignored, and Log
// returns nil: the library's logging never becomes a request line or a
// message, whatever handler is installed.
func Log(ctx context.Context, level string, payload any) error {
	return logAt(ctx, time.Now(), level, payload)
}

func logAt(ctx context.Context, now time.Time, level string, payload any) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if level == "" {
		return fmt.Errorf("%w: level is empty", ErrInvalidLevel)
	}
	span := trace.SpanFromContext(ctx)
	if isSelfLog(ctx) {
		return nil // the library's own diagnostics: see Log
	}
	p, err := pipelineFor(span)
	if err != nil {
		return err
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if err := encodePayload(buf, payload); err != nil {
		return err
	}
	r := LogRecord{Span: span.SpanContext(), Time: now, Level: level, Payload: *buf}
	if err := p.Log(ctx, r); err != nil {
		return err
	}
	if span.IsRecording() {
		span.AddEvent(LogEventName, trace.WithTimestamp(r.Time), levelAttributes(level))
	}
	return nil
}

// levelAttributes returns the attributes of a Log span event. Those of the
// usual levels are built once: the SDK copies an event's attributes, so one
// option serves every call, and a line costs two allocations less.
func levelAttributes(level string) trace.SpanStartEventOption {
	switch level {
	case "debug":
		return debugAttributes
	case "info":
		return infoAttributes
	case "warning":
		return warningAttributes
	case "error":
		return errorAttributes
	}
	return trace.WithAttributes(LevelKey.String(level))
}

var (
	debugAttributes   = trace.WithAttributes(LevelKey.String("debug"))
	infoAttributes    = trace.WithAttributes(LevelKey.String("info"))
	warningAttributes = trace.WithAttributes(LevelKey.String("warning"))
	errorAttributes   = trace.WithAttributes(LevelKey.String("error"))
)

// encodePayload encodes payload into the pooled buf, with encoding/json's
// rules.
func encodePayload(buf *[]byte, payload any) error {
	var err error
	if *buf, err = jsonenc.AppendValue((*buf)[:0], payload); err != nil {
		return fmt.Errorf("%w: %T: %w", ErrNonJSONSerializable, payload, err)
	}
	return nil
}

// maxPooled keeps one huge payload from pinning its buffer in the pool.
const maxPooled = 64 << 10

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getBuffer() *[]byte { return buffers.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) <= maxPooled {
		buffers.Put(b)
	}
}
