package bridge_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// mutatingProcessor overwrites the attributes of every event of the spans it
// sees end, as a careless processor of the user's might.
type mutatingProcessor struct {
	sdktrace.SpanProcessor
	mutated *int
}

func (p mutatingProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	for _, e := range s.Events() {
		for i := range e.Attributes {
			e.Attributes[i] = attribute.String("mutated", "yes")
			*p.mutated++
		}
	}
}

// Log's span events of the usual levels share their attributes between calls:
// neither a processor that mutates the events it sees nor span limits that
// truncate them may change the level of a later line.
func TestLogLevelAttributesSurviveMutationAndLimits(t *testing.T) {
	for name, limits := range map[string]sdktrace.SpanLimits{
		"defaults":            sdktrace.NewSpanLimits(),
		"no event attributes": {AttributePerEventCountLimit: 0, EventCountLimit: 8, AttributeValueLengthLimit: -1, AttributeCountLimit: -1, LinkCountLimit: -1, AttributePerLinkCountLimit: -1},
		"short values":        {AttributePerEventCountLimit: 1, EventCountLimit: 8, AttributeValueLengthLimit: 1, AttributeCountLimit: -1, LinkCountLimit: -1, AttributePerLinkCountLimit: -1},
	} {
		t.Run(name, func(t *testing.T) {
			spans := tracetest.NewSpanRecorder()
			mutated := 0 // spans end on this goroutine
			tp := sdktrace.NewTracerProvider(sdktrace.WithRawSpanLimits(limits),
				sdktrace.WithSpanProcessor(pipeline(t)),
				sdktrace.WithSpanProcessor(mutatingProcessor{sdktrace.NewSimpleSpanProcessor(nil), &mutated}))
			defer func() { _ = tp.Shutdown(context.Background()) }()
			levels := []string{"debug", "info", "warning", "error"}
			for range 2 {
				for _, level := range levels {
					ctx, span := tp.Tracer("t").Start(context.Background(), "req")
					if err := bridge.Log(ctx, level, "x"); err != nil {
						t.Fatal(err)
					}
					span.End()
				}
			}
			if limits.AttributePerEventCountLimit != 0 && mutated != 8 {
				t.Fatalf("the processor mutated %d attributes, want 8", mutated)
			}
			tp2 := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(pipeline(t)), sdktrace.WithSpanProcessor(spans))
			defer func() { _ = tp2.Shutdown(context.Background()) }()
			for _, level := range levels {
				ctx, span := tp2.Tracer("t").Start(context.Background(), "req")
				if err := bridge.Log(ctx, level, "x"); err != nil {
					t.Fatal(err)
				}
				span.End()
			}
			for i, s := range spans.Ended() {
				ev := s.Events()
				if len(ev) != 1 || len(ev[0].Attributes) != 1 || ev[0].Attributes[0] != bridge.LevelKey.String(levels[i]) {
					t.Errorf("Log(%q) after mutated and truncated events: span events %v", levels[i], ev)
				}
			}
		})
	}
}

// pipeline is a processor over an in-memory sink, not the default.
func pipeline(t *testing.T) *exporter.Processor {
	t.Helper()
	p, err := exporter.New("logging", otelrelayertest.NewSink(), exporter.WithoutDefault(), exporter.WithoutEnvironment(),
		exporter.WithErrorHandler(func(err error) { t.Error(err) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bridge.Unregister(p) })
	return p
}
