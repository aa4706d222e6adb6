package exporter

import (
	"encoding/json"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
)

// Issue 11, point 4: a root started with a timestamp in the past (a consumer
// catching up) is as young as any other: eviction counts from when the
// processor saw it start, so its request is not split in two.
func TestBackdatedRootIsNotEvictedEarly(t *testing.T) {
	const maxAge = time.Hour // the janitor ticks every minute: never in this test
	sink := &memorySink{}
	p, err := New("logging", sink, WithoutDefault(), WithoutEnvironment(), WithMaxRequestAge(maxAge),
		WithErrorHandler(func(error) {}))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
	defer tp.Shutdown(t.Context())
	ctx, backdated := tp.Tracer("t").Start(t.Context(), "lagging consumer", trace.WithTimestamp(time.Now().Add(-24*time.Hour)))
	if err := bridge.Log(ctx, "info", "first"); err != nil {
		t.Fatal(err)
	}
	if n := p.evictTick(time.Now()); n != 0 {
		t.Fatalf("the first janitor tick evicted %d requests, want 0", n)
	}
	if err := bridge.Log(ctx, "info", "second"); err != nil {
		t.Fatal(err)
	}
	backdated.End()
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.msgs) != 1 {
		t.Fatalf("%d request logs, want 1", len(sink.msgs))
	}
	var l RequestLog
	if err := json.Unmarshal(sink.msgs[0].Value, &l); err != nil {
		t.Fatal(err)
	}
	if l.Evicted || l.Service != "lagging consumer" || len(l.Lines) != 2 {
		t.Errorf("request log %s", sink.msgs[0].Value)
	}
}

// Eviction still comes, after maxRequestAge worth of ticks and not before.
func TestEvictionCountsTicksFromTheStart(t *testing.T) {
	const maxAge = time.Hour
	sink := &memorySink{}
	p, err := New("logging", sink, WithoutDefault(), WithoutEnvironment(), WithMaxRequestAge(maxAge),
		WithErrorHandler(func(error) {}))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
	defer tp.Shutdown(t.Context())
	_, leaked := tp.Tracer("t").Start(t.Context(), "leaked")
	defer leaked.End()
	ticks := int(maxAge / evictionPeriod(maxAge)) // 60 one-minute ticks
	for i := range ticks {
		if n := p.evictTick(time.Now()); n != 0 {
			t.Fatalf("tick %d of %d evicted the request early", i+1, ticks)
		}
	}
	if n := p.evictTick(time.Now()); n != 1 {
		t.Fatalf("tick %d evicted %d requests, want 1", ticks+1, n)
	}
}
