package exporter_test

import (
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Two processors on one tracer provider (a dual write to two clusters):
// both get every event and line of its spans, and removing one leaves the
// other working. With the library's defaults: both register as default.
func TestEveryProcessorOnAProviderGetsEveryLine(t *testing.T) {
	sinks := []*otelrelayertest.Sink{otelrelayertest.NewSink(), otelrelayertest.NewSink()}
	var ps []*exporter.Processor
	for _, s := range sinks {
		p, err := exporter.New("logging", s, exporter.WithoutEnvironment())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { bridge.Unregister(p) })
		ps = append(ps, p)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(ps[0]), sdktrace.WithSpanProcessor(ps[1]))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	request := func() {
		t.Helper()
		ctx, span := tp.Tracer("t").Start(t.Context(), "job")
		if err := bridge.Emit(ctx, "orders", "created", 1); err != nil {
			t.Fatal(err)
		}
		if err := bridge.Log(ctx, "info", "done"); err != nil {
			t.Fatal(err)
		}
		span.End()
	}
	request()
	for i, s := range sinks {
		logs := requestLogs(t, s.Messages("logging"))
		if len(logs) != 1 || len(logs[0].Lines) != 2 || len(s.Messages("orders")) != 1 {
			t.Fatalf("processor %d: %d events, request logs %+v; want 1 event and one log with 2 lines", i, len(s.Messages("orders")), logs)
		}
	}

	tp.UnregisterSpanProcessor(ps[1]) // shuts it down
	request()
	logs := requestLogs(t, sinks[0].Messages("logging"))
	if len(logs) != 2 || len(logs[1].Lines) != 2 || len(sinks[0].Messages("orders")) != 2 {
		t.Fatalf("the remaining processor after the other was removed: %d events, request logs %+v", len(sinks[0].Messages("orders")), logs)
	}
	if n := len(sinks[1].Messages("logging")); n != 1 {
		t.Errorf("the removed processor wrote %d request logs, want 1", n)
	}
}
