package exporter_test

import (
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Removing one of two processors while requests run: every call succeeds
// (none sees the removed one's ErrShutdown) and the other keeps every line.
func TestRemovingOneOfTwoProcessorsUnderLoadLosesNothing(t *testing.T) {
	sinks := []*otelrelayertest.Sink{otelrelayertest.NewSink(), otelrelayertest.NewSink()}
	var ps []*exporter.Processor
	for _, s := range sinks {
		p, err := exporter.New("logging", s, exporter.WithoutEnvironment(), exporter.WithoutDefault())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { bridge.Unregister(p) })
		ps = append(ps, p)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(ps[0]), sdktrace.WithSpanProcessor(ps[1]))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	var wg sync.WaitGroup
	const n = 400
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				if g == 0 && i == n/2 {
					tp.UnregisterSpanProcessor(ps[1])
				}
				ctx, span := tp.Tracer("t").Start(t.Context(), "job")
				if err := bridge.Log(ctx, "info", "x"); err != nil {
					t.Error(err)
				}
				span.End()
			}
		}()
	}
	wg.Wait()
	logs := requestLogs(t, sinks[0].Messages("logging"))
	lines := 0
	for _, l := range logs {
		lines += len(l.Lines)
	}
	if len(logs) != 4*n || lines != 4*n {
		t.Fatalf("%d logs %d lines, want %d", len(logs), lines, 4*n)
	}
}
