package bridge_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// Fields set from a child span and from another goroutine land in the
// request's log, not on the child span; the root span's own attributes are
// there too.
func ExampleSetAttributes() {
	sink := otelrelayertest.NewSink()
	p, err := exporter.New("logging", sink, exporter.WithoutDefault())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bridge.Unregister(p)
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())),
		sdktrace.WithSpanProcessor(p),
	)
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tracer := tp.Tracer("shop")

	ctx, root := tracer.Start(context.Background(), "checkout")
	root.SetAttributes(attribute.String("enduser.id", "42"))
	cctx, child := tracer.Start(ctx, "load cart")
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := bridge.SetAttributes(cctx, attribute.Int("app.cart.items", 3)); err != nil {
			fmt.Println(err)
		}
	})
	wg.Wait()
	child.End()
	root.End()
	// The request's log was written: nothing more can be added to it.
	fmt.Println(bridge.SetAttributes(ctx, attribute.Bool("app.late", true)) != nil)

	var log wire.RequestLog
	_ = json.Unmarshal(sink.Messages("logging")[0].Value, &log)
	items, _ := log.Attribute("app.cart.items")
	user, _ := log.Attribute("enduser.id")
	fmt.Printf("%s: %d attributes, app.cart.items=%s enduser.id=%s\n", log.Service, len(log.Attributes), items, user)
	// Output:
	// true
	// checkout: 2 attributes, app.cart.items=3 enduser.id=42
}
