package exporter_test

import (
	"context"
	"encoding/json"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

func ExampleNew() {
	ctx := context.Background()
	sink := otelrelayertest.NewSink() // kafkasink.New(kafkasink.WithBrokers(...)) in production
	p, err := exporter.New("logging", sink, exporter.WithTopicPrefix("shop."), exporter.WithSource("orders"))
	if err != nil {
		panic(err)
	}
	defer bridge.Unregister(p)
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())),
		sdktrace.WithSpanProcessor(p),
	)
	defer func() { _ = tp.Shutdown(ctx) }()

	ctx, span := tp.Tracer("example").Start(ctx, "create-order")
	_ = bridge.Emit(ctx, "order_created", "web", map[string]any{"id": 10})
	_ = bridge.Log(ctx, "info", "order stored")
	span.End()

	fmt.Println(sink.Topics())
	for _, m := range sink.Messages(p.LoggingTopic()) {
		var l wire.RequestLog
		_ = json.Unmarshal(m.Value, &l)
		fmt.Println(l.Source, l.Service, len(l.Lines), "lines")
	}
	// Output:
	// [shop.order_created shop.logging]
	// orders create-order 2 lines
}
