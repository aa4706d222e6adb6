package exporter_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"weak"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Issue 11, point 2: a service (or a test suite) that rebuilds its tracer
// provider must not grow without bound. After Shutdown, nothing in bridge's
// registry keeps the processor or its provider alive, and calls that would
// have reached the processor still get ErrShutdown. Processors are made with
// the defaults: each becomes the default pipeline and binds its provider.
func TestShutDownProcessorsAreNotKeptAlive(t *testing.T) {
	const n = 50
	var processors []weak.Pointer[exporter.Processor]
	var providers []weak.Pointer[sdktrace.TracerProvider]
	var last *exporter.Processor // kept, to unregister its tombstone after the test
	for range n {
		p, err := exporter.New("logging", otelrelayertest.NewSink(), exporter.WithoutEnvironment(), exporter.WithErrorHandler(func(error) {}))
		if err != nil {
			t.Fatal(err)
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
		ctx, span := tp.Tracer("t").Start(t.Context(), "job")
		if err := bridge.Log(ctx, "info", "in a request"); err != nil {
			t.Fatal(err)
		}
		span.End()
		if err := tp.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := bridge.Emit(ctx, "orders", "created", 1); !errors.Is(err, bridge.ErrShutdown) {
			t.Fatalf("Emit with a span of the shut-down provider: %v, want ErrShutdown", err)
		}
		if err := bridge.Log(context.Background(), "info", "x"); !errors.Is(err, bridge.ErrShutdown) {
			t.Fatalf("Log through the shut-down default: %v, want ErrShutdown", err)
		}
		processors = append(processors, weak.Make(p))
		providers = append(providers, weak.Make(tp))
		last = p
	}
	t.Cleanup(func() { bridge.Unregister(last) })
	runtime.GC()
	runtime.GC()
	alive, aliveProviders := 0, 0
	for i := range n - 1 { // the last one is still referenced by this test
		if processors[i].Value() != nil {
			alive++
		}
		if providers[i].Value() != nil {
			aliveProviders++
		}
	}
	if alive > 0 || aliveProviders > 0 {
		t.Fatalf("after Shutdown and GC, %d of %d processors and %d of %d providers are still reachable", alive, n-1, aliveProviders, n-1)
	}
	if err := bridge.Log(context.Background(), "info", "x"); !errors.Is(err, bridge.ErrShutdown) {
		t.Fatalf("Log through the shut-down default after GC: %v, want ErrShutdown", err)
	}
}

// Issue 11, point 3: a processor that never saw a span returns ErrShutdown
// after its Shutdown, when its provider's spans still reach it.
func TestErrShutdownBeforeTheFirstSpan(t *testing.T) {
	p, err := exporter.New("logging", otelrelayertest.NewSink(), exporter.WithoutEnvironment(), exporter.WithoutDefault())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bridge.Unregister(p) })
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
	if err := p.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, span := tp.Tracer("t").Start(t.Context(), "job")
	defer span.End()
	for name, call := range map[string]func() error{
		"Emit":    func() error { return bridge.Emit(ctx, "orders", "created", 1) },
		"EmitRaw": func() error { return bridge.EmitRaw(ctx, "raw", 1) },
		"Log":     func() error { return bridge.Log(ctx, "info", "x") },
	} {
		if err := call(); !errors.Is(err, bridge.ErrShutdown) {
			t.Errorf("%s after Shutdown, before any span: %v, want ErrShutdown", name, err)
		}
	}
}

// The case the processor cannot know, as documented on bridge.ErrShutdown:
// its provider was shut down before it saw a span, so the provider no longer
// calls it; spans of that provider then reach no pipeline.
func TestShutdownProviderBeforeTheFirstSpanIsNotInstalled(t *testing.T) {
	if err := bridge.Log(context.Background(), "info", "x"); !errors.Is(err, bridge.ErrNotInstalled) {
		t.Skipf("another test left a default pipeline (%v)", err)
	}
	p, err := exporter.New("logging", otelrelayertest.NewSink(), exporter.WithoutEnvironment(), exporter.WithoutDefault())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bridge.Unregister(p) })
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
	tracer := tp.Tracer("t") // obtained before the shutdown: it still starts SDK spans
	if err := tp.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, span := tracer.Start(t.Context(), "job")
	defer span.End()
	if err := bridge.Emit(ctx, "orders", "created", 1); !errors.Is(err, bridge.ErrNotInstalled) {
		t.Errorf("Emit: %v, want ErrNotInstalled as documented", err)
	}
}
