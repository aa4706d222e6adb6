package bridge

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	sc "github.com/otelrelayer/otelrelayer/internal/semconvkeys"
)

// RPC wraps fn, the Go form of the Python library's RPC decorator: each call
// runs in a server span named service, so that its Emit and Log calls end in
// a request log with "service" and "service_time". A service written
// "Handler.method" is recorded as rpc.service "Handler" and rpc.method
// "method", which the request log joins back into "Handler.method".
//
// A call whose context has no span, or a remote one, is a local root and
// gets its own request log; called inside another request, it is a child
// span and its lines join that request's log. A returned error marks the
// span and becomes an error line (a typed-nil error reads "<nil>", as in
// log/slog); a panic does too, then continues: its exception.type is the
// panic value's type, as span.RecordError names an error's ("string" for
// panic("boom")).
//
// Spans are started with the global tracer provider unless
// [WithTracerProvider] is given.
//
// gRPC servers do not need RPC: otelgrpc's server handler starts the span
// with rpc.service and rpc.method, and the request log reads them.
func RPC[Req, Resp any](service string, fn func(context.Context, Req) (Resp, error), opts ...RPCOption) func(context.Context, Req) (Resp, error) {
	c := rpcConfig{provider: otel.GetTracerProvider()}
	for _, o := range opts {
		if o != nil {
			c = o.applyRPC(c)
		}
	}
	tracer := c.provider.Tracer(tracerName)
	attrs := []attribute.KeyValue{attribute.String(sc.RPCSystem, "otelrelayer")}
	if svc, method, ok := cutLast(service, "."); ok {
		attrs = append(attrs, attribute.String(sc.RPCService, svc), attribute.String(sc.RPCMethod, method))
	} else {
		attrs = append(attrs, attribute.String(sc.RPCService, service))
	}
	startOpts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...)}
	return func(ctx context.Context, req Req) (resp Resp, err error) {
		ctx, span := tracer.Start(ctx, service, startOpts...)
		defer func() {
			if v := recover(); v != nil {
				recordPanic(span, v)
				span.End()
				panic(v)
			}
			if err != nil {
				recordError(span, err) // never panics, even for a typed nil
			}
			span.End()
		}()
		return fn(ctx, req)
	}
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i > 0 && i < len(s)-len(sep) {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// RPCOption configures [RPC]. A nil RPCOption is ignored.
type RPCOption interface {
	applyRPC(rpcConfig) rpcConfig
}

type rpcConfig struct {
	provider trace.TracerProvider
}
