package exporter

import (
	"context"
	"encoding/hex"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/propagation"
)

// EventIDHeader is the header holding a message's UUIDv7.
const EventIDHeader = "relayer-event-id"

// headers returns the headers of a message: the trace context of sc and the
// message's event ID. With no propagator configured, W3C trace context is
// written directly, without going through a carrier.
func (p *Processor) headers(ctx context.Context, sc trace.SpanContext, id uuid.UUID) []kafkasink.Header {
	hs := make([]kafkasink.Header, 0, 3)
	if p.cfg.propagator != nil {
		if sc.IsValid() && !trace.SpanContextFromContext(ctx).Equal(sc) {
			ctx = trace.ContextWithSpanContext(ctx, sc)
		}
		p.cfg.propagator.Inject(ctx, propagation.NewCarrier(&hs))
	} else if sc.IsValid() {
		hs = append(hs, kafkasink.Header{Key: "traceparent", Value: appendTraceparent(make([]byte, 0, 55), sc)})
		if ts := sc.TraceState(); ts.Len() > 0 {
			hs = append(hs, kafkasink.Header{Key: "tracestate", Value: []byte(ts.String())})
		}
	}
	idText, _ := id.MarshalText()
	return append(hs, kafkasink.Header{Key: EventIDHeader, Value: idText})
}

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
