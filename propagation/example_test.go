package propagation_test

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
	otelprop "go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/propagation"
)

func Example() {
	// The producer's side: a span is active in ctx.
	traceID, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	spanID, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: traceID, SpanID: spanID, TraceFlags: trace.FlagsSampled,
	}))
	// Without WithPropagator, the global propagator (otel.SetTextMapPropagator)
	// is used.
	tc := propagation.WithPropagator(otelprop.TraceContext{})

	r := &kgo.Record{Topic: "entity_created", Value: []byte(`{"id":10}`)}
	propagation.Inject(ctx, r, tc)
	for _, h := range r.Headers {
		fmt.Printf("%s: %s\n", h.Key, h.Value)
	}

	// The consumer's side: continue the trace from the record.
	sc := trace.SpanContextFromContext(propagation.Extract(context.Background(), r, tc))
	fmt.Println(sc.TraceID(), sc.SpanID(), sc.IsSampled(), sc.IsRemote())
	// Output:
	// traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
	// 4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7 true true
}

func ExampleCarrier() {
	headers := []kgo.RecordHeader{
		{Key: "traceparent", Value: []byte("stale")},
		{Key: "relayer-event-id", Value: []byte("e1")},
		{Key: "traceparent", Value: []byte("stale too")},
	}
	c := propagation.NewCarrier(&headers)
	// Set replaces the first header of its key and drops the others, so that
	// Get and every consumer read the same value.
	c.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	fmt.Println(c.Keys())
	fmt.Println(c.Get("traceparent"))
	fmt.Println(len(headers))
	// Output:
	// [traceparent relayer-event-id]
	// 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
	// 2
}
