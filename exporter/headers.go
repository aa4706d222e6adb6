package exporter

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/google/uuid"
	otelprop "go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/internal/eventid"
	"github.com/otelrelayer/otelrelayer/internal/jsonenc"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/propagation"
	"github.com/otelrelayer/otelrelayer/wire"
)

// EventIDHeader is the header holding a message's UUIDv7.
//
// Deprecated: use [wire.EventIDHeader], the wire formats' one home.
const EventIDHeader = wire.EventIDHeader

// messageMeta is what the headers of one message say besides trace context.
type messageMeta struct {
	id      uuid.UUID
	ceType  string // CloudEvents type
	subject string // CloudEvents subject, optional
	time    time.Time
}

// traceparentLen is the length of a version 00 traceparent.
const traceparentLen = len("00-") + 32 + 1 + 16 + 1 + 2

// headerBlock holds, in one allocation, the headers of a message in the
// common case (traceparent and event ID) and the bytes they point to, with
// room for a request log's key.
type headerBlock struct {
	hs  [2]kafkasink.Header
	buf [traceparentLen + eventid.TextLen + 32]byte
}

// headers returns the headers of a message: the trace context of sc, the
// message's event ID and, when enabled, the CloudEvents binary-mode
// attributes; with traceIDKey, also the hex trace ID of sc as a message key
// (nil when sc is invalid). With no propagator configured, W3C trace context
// is written directly, without going through a carrier.
// The headers and the bytes they point to are written in blk; idText is the
// event ID header's value, for the request line of an event.
func (p *Processor) headers(ctx context.Context, blk *headerBlock, sc trace.SpanContext, m messageMeta, traceIDKey bool) (hs []kafkasink.Header, idText, key []byte) {
	buf := blk.buf[:0:len(blk.buf)]
	hs = blk.hs[:0]
	if p.cfg.propagator != nil {
		if sc.IsValid() && !trace.SpanContextFromContext(ctx).Equal(sc) {
			ctx = trace.ContextWithSpanContext(ctx, sc)
		}
		hs = inject(ctx, p.cfg.propagator, hs)
	} else if sc.IsValid() {
		buf = appendTraceparent(buf, sc)
		hs = append(hs, kafkasink.Header{Key: wire.TraceparentHeader, Value: buf[:traceparentLen:traceparentLen]})
		if ts := sc.TraceState(); ts.Len() > 0 {
			hs = append(hs, kafkasink.Header{Key: wire.TracestateHeader, Value: []byte(ts.String())})
		}
	}
	start := len(buf)
	buf = eventid.AppendText(buf, m.id)
	idText = buf[start:len(buf):len(buf)]
	hs = append(hs, kafkasink.Header{Key: wire.EventIDHeader, Value: idText})
	if traceIDKey && sc.IsValid() {
		if p.cfg.propagator == nil { // the traceparent holds it: 00-<trace ID>-…
			key = blk.buf[3 : 3+32 : 3+32]
		} else {
			start = len(buf)
			tid := sc.TraceID()
			buf = hex.AppendEncode(buf, tid[:])
			key = buf[start:len(buf):len(buf)]
		}
	}
	if p.cfg.cloudEvents {
		hs = append(hs,
			kafkasink.Header{Key: wire.CESpecVersionHeader, Value: []byte("1.0")},
			kafkasink.Header{Key: wire.CEIDHeader, Value: idText},
			kafkasink.Header{Key: wire.CESourceHeader, Value: []byte(p.Source())},
			kafkasink.Header{Key: wire.CETypeHeader, Value: []byte(m.ceType)},
			kafkasink.Header{Key: wire.CETimeHeader, Value: m.time.UTC().AppendFormat(nil, jsonenc.TimeLayout)},
			kafkasink.Header{Key: wire.ContentTypeHeader, Value: []byte("application/json")},
		)
		if m.subject != "" {
			hs = append(hs, kafkasink.Header{Key: wire.CESubjectHeader, Value: []byte(m.subject)})
		}
	}
	return hs, idText, key
}

// inject adds the headers of propagator to hs. It is a function of its own
// so that taking the address of hs moves a slice header to the heap only
// when a propagator is configured.
func inject(ctx context.Context, propagator otelprop.TextMapPropagator, hs []kafkasink.Header) []kafkasink.Header {
	propagator.Inject(ctx, propagation.NewCarrier(&hs))
	return hs
}

// RequestLogType is the CloudEvents type of request logs.
//
// Deprecated: use [wire.RequestLogType], the wire formats' one home.
const RequestLogType = wire.RequestLogType

// appendTraceparent appends the W3C traceparent of sc (version 00).
func appendTraceparent(dst []byte, sc trace.SpanContext) []byte {
	tid, sid := sc.TraceID(), sc.SpanID()
	dst = append(dst, "00-"...)
	dst = hex.AppendEncode(dst, tid[:])
	dst = append(dst, '-')
	dst = hex.AppendEncode(dst, sid[:])
	dst = append(dst, '-')
	return hex.AppendEncode(dst, []byte{byte(sc.TraceFlags())})
}
