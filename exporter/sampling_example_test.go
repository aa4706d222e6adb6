package exporter_test

import (
	"context"
	"encoding/json"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// At rate 0 only the request logs worth reading are written: here the one
// with an error line, with sample_rate 1. Both events are written.
func ExampleWithRequestLogSampling() {
	sink := otelrelayertest.NewSink()
	p, err := exporter.New("logging", sink, exporter.WithoutDefault(), exporter.WithRequestLogSampling(0, 0))
	if err != nil {
		panic(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(p))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	for _, level := range []string{"info", "error"} {
		ctx, span := tp.Tracer("example").Start(context.Background(), "job")
		_ = bridge.Emit(ctx, "orders", "created", map[string]int{"id": 1})
		_ = bridge.Log(ctx, level, "done")
		span.End()
	}
	fmt.Println("events:", len(sink.Messages("orders")))
	for _, m := range sink.Messages("logging") {
		var l exporter.RequestLog
		if err := json.Unmarshal(m.Value, &l); err != nil {
			panic(err)
		}
		fmt.Println("request log:", l.Lines[1].LogLevel, "sample_rate", l.SampleRate)
	}
	// Output:
	// events: 2
	// request log: error sample_rate 1
}
