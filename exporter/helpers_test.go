package exporter_test

import (
	"context"
	"encoding/json"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// newTracerProvider builds a pipeline over sink that is not the default,
// shut down and unregistered when t ends.
func newTracerProvider(t *testing.T, sink kafkasink.Sink, opts ...exporter.Option) *sdktrace.TracerProvider {
	t.Helper()
	p, err := exporter.New("logging", sink, append([]exporter.Option{exporter.WithoutDefault()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(p))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		bridge.Unregister(p)
	})
	return tp
}

// requestLogs decodes the request logs among msgs.
func requestLogs(t *testing.T, msgs []kafkasink.Message) []exporter.RequestLog {
	t.Helper()
	var logs []exporter.RequestLog
	for _, m := range msgs {
		var l exporter.RequestLog
		if err := json.Unmarshal(m.Value, &l); err != nil {
			t.Fatalf("request log %s: %v", m.Value, err)
		}
		logs = append(logs, l)
	}
	return logs
}
