package exporter_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// With AlwaysRecord over a 1% ratio sampler, every request gets its request
// log while only the sampled traces reach the span exporter.
func TestRequestLogsSurviveSampling(t *testing.T) {
	sink := otelrelayertest.NewSink()
	p, err := exporter.New("logging", sink, exporter.WithoutDefault())
	if err != nil {
		t.Fatal(err)
	}
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.TraceIDRatioBased(0.01))),
		sdktrace.WithSpanProcessor(p),
		sdktrace.WithSyncer(spans),
	)
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		bridge.Unregister(p)
	})
	const requests = 1000
	sampled := 0
	for range requests {
		ctx, span := tp.Tracer("t").Start(t.Context(), "req")
		if span.SpanContext().IsSampled() {
			sampled++
		}
		if err := bridge.Log(ctx, "info", "line"); err != nil {
			t.Fatal(err)
		}
		span.End()
	}
	logs := sink.Messages(p.LoggingTopic())
	exported := len(spans.GetSpans())
	t.Logf("%d requests: %d request logs, %d spans exported (%d sampled)", requests, len(logs), exported, sampled)
	if len(logs) != requests {
		t.Errorf("got %d request logs, want one per request (%d)", len(logs), requests)
	}
	if exported != sampled || exported >= requests/10 {
		t.Errorf("exported %d spans, want the %d sampled ones (about 1%%)", exported, sampled)
	}
	// Each request log's traceparent tells whether its trace was sampled.
	flagged := 0
	for _, m := range logs {
		for _, h := range m.Headers {
			if h.Key == "traceparent" && string(h.Value[len(h.Value)-2:]) == "01" {
				flagged++
			}
		}
	}
	if flagged != sampled {
		t.Errorf("%d request logs carry a sampled traceparent, want %d", flagged, sampled)
	}
}
