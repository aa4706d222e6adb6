package exporter_test

import (
	"context"
	"encoding/json"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Of the root span's attributes, only those under app. and enduser. go
// into the request log; credentials never do, and redacted keys are masked.
func ExampleWithRootAttributePrefixes() {
	sink := otelrelayertest.NewSink()
	p, err := exporter.New("logging", sink, exporter.WithoutDefault(),
		exporter.WithRootAttributePrefixes("app.", "enduser."), exporter.WithRedactedKeys("password"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bridge.Unregister(p)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(p))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	_, span := tp.Tracer("jobs").Start(context.Background(), "import", trace.WithAttributes(
		attribute.String("enduser.id", "42"),
		attribute.String("app.password", "hunter2"),
		attribute.String("app.authorization", "Bearer x"),
		attribute.String("deployment.zone", "eu-1"),
	))
	span.End()

	var log struct{ Attributes json.RawMessage }
	_ = json.Unmarshal(sink.Messages("logging")[0].Value, &log)
	fmt.Println(string(log.Attributes))
	// Output:
	// {"enduser.id":"42","app.password":"[REDACTED]"}
}
