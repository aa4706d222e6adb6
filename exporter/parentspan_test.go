package exporter_test

import (
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// A request log names its root span's remote parent (the upstream
// service's span that called it) as parent_span_id, and has none when the
// root started a trace or continued a local span.
func TestRequestLogNamesItsRemoteParent(t *testing.T) {
	remote := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 1},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
		Remote:     true,
	})
	tests := []struct {
		name   string
		parent trace.SpanContext
		want   string
	}{
		{"remote parent", remote, "00f067aa0ba902b7"},
		{"no parent", trace.SpanContext{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := otelrelayertest.New(t)
			ctx := trace.ContextWithRemoteSpanContext(t.Context(), tt.parent)
			_, span := rec.Tracer().Start(ctx, "job", trace.WithSpanKind(trace.SpanKindServer))
			span.End()
			if err := rec.TracerProvider().ForceFlush(t.Context()); err != nil {
				t.Fatal(err)
			}
			logs := rec.RequestLogs()
			if len(logs) != 1 {
				t.Fatalf("%d request logs, want 1", len(logs))
			}
			if logs[0].ParentSpanID != tt.want {
				t.Errorf("parent_span_id = %q, want %q", logs[0].ParentSpanID, tt.want)
			}
		})
	}
}
