package bridge

import (
	"context"
	"net"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/internal/selflog"
)

type benchKey int

// requestContext is a context as deep as an HTTP server's request one with
// a few middlewares: the server's values, a cancel, the span, the
// middlewares' values.
func requestContext(b *testing.B) (context.Context, trace.Span) {
	ctx := context.WithValue(context.Background(), http.ServerContextKey, &http.Server{})
	ctx = context.WithValue(ctx, http.LocalAddrContextKey, &net.TCPAddr{})
	ctx, cancel := context.WithCancel(ctx)
	b.Cleanup(cancel)
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}})
	ctx = trace.ContextWithSpanContext(ctx, sc)
	for i := range 4 {
		ctx = context.WithValue(ctx, benchKey(i), i)
	}
	return ctx, trace.SpanFromContext(ctx)
}

// BenchmarkIsSelfLog is the check Emit and Log make on every call (a walk
// of the context's parents), next to the earlier check that skipped the
// walk with a span and so missed a span put into the library's context.
func BenchmarkIsSelfLog(b *testing.B) {
	ctx, span := requestContext(b)
	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			if isSelfLog(ctx) {
				b.Fatal("a request context taken for the library's own")
			}
		}
	})
	b.Run("before", func(b *testing.B) { // the span-less-only check
		for b.Loop() {
			if !span.SpanContext().IsValid() && selflog.Is(ctx) {
				b.Fatal("a request context taken for the library's own")
			}
		}
	})
	b.Run("walk", func(b *testing.B) {
		for b.Loop() {
			if selflog.Is(ctx) {
				b.Fatal("a request context taken for the library's own")
			}
		}
	})
}
