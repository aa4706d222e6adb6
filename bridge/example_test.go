package bridge_test

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

// A pipeline writing to an in-memory sink: an event goes to its topic at
// once, and the request's log, holding the event and the log line, goes to
// the logging topic when the request's span ends.
func Example() {
	sink := otelrelayertest.NewSink()
	// WithoutDefault: only spans of tp reach this processor. Installations
	// with a single pipeline leave it out, and every context reaches it.
	p, err := exporter.New("logging", sink, exporter.WithSource("orders"), exporter.WithoutDefault())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bridge.Unregister(p)
	// AlwaysRecord: every request gets its log, whatever the sampling rate.
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())),
		sdktrace.WithSpanProcessor(p),
	)
	defer func() { _ = tp.Shutdown(context.Background()) }()

	ctx, span := tp.Tracer("orders").Start(context.Background(), "create order")
	if err := bridge.Emit(ctx, "order_created", "web", map[string]any{"id": 10}, bridge.WithPartitionKey("customer-7")); err != nil {
		fmt.Println(err)
	}
	if err := bridge.Log(ctx, "info", "order 10 created"); err != nil {
		fmt.Println(err)
	}
	span.End()

	for _, topic := range sink.Topics() {
		fmt.Println("topic:", topic)
	}
	var event wire.Event
	_ = json.Unmarshal(sink.Messages("order_created")[0].Value, &event)
	fmt.Printf("event: %s %s %s from %s\n", event.EventType, event.EventSubtype, event.Payload, event.Source)
	var log wire.RequestLog
	_ = json.Unmarshal(sink.Messages("logging")[0].Value, &log)
	fmt.Printf("request log of %q: %d lines\n", log.Service, len(log.Lines))
	// Output:
	// topic: order_created
	// topic: logging
	// event: order_created web {"id":10} from orders
	// request log of "create order": 2 lines
}
