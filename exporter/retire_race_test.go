package exporter_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"weak"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// pausedSpan is a span whose first TracerProvider call, made by OnStart
// after it checked that the processor is not shut down, waits for pause:
// it holds OnStart in the window where Shutdown can run entirely.
type pausedSpan struct {
	sdktrace.ReadWriteSpan
	tp    trace.TracerProvider
	once  *sync.Once
	pause func()
}

func (s pausedSpan) TracerProvider() trace.TracerProvider {
	s.once.Do(s.pause)
	return s.tp
}

// providerStub is a tracer provider the registry can hold (a pointer; with
// a string it is not tiny-allocated, so its weak pointer can turn nil).
type providerStub struct {
	noop.TracerProvider
	name string
}

// A span that starts while Shutdown runs must not bind its provider to the
// processor after Shutdown retired it: the binding would keep the processor
// and the provider alive for good, which issue 11 point 2 rules out.
func TestSpanStartingDuringShutdownDoesNotPinTheProcessor(t *testing.T) {
	wp, wtp := func() (weak.Pointer[exporter.Processor], weak.Pointer[providerStub]) {
		p, err := exporter.New("logging", otelrelayertest.NewSink(), exporter.WithoutEnvironment(), exporter.WithoutDefault(), exporter.WithErrorHandler(func(error) {}))
		if err != nil {
			t.Fatal(err)
		}
		tp := &providerStub{name: "racing"}
		_, real := sdktrace.NewTracerProvider().Tracer("t").Start(context.Background(), "root")
		defer real.End()
		span := pausedSpan{
			ReadWriteSpan: real.(sdktrace.ReadWriteSpan),
			tp:            tp,
			once:          new(sync.Once),
			pause: func() {
				if err := p.Shutdown(context.Background()); err != nil {
					t.Errorf("Shutdown: %v", err)
				}
			},
		}
		p.OnStart(context.Background(), span)
		return weak.Make(p), weak.Make(tp)
	}()
	runtime.GC()
	runtime.GC()
	if wp.Value() != nil || wtp.Value() != nil {
		bridge.Unregister(wp.Value())
		t.Fatalf("after Shutdown and GC: processor reachable %v, provider reachable %v", wp.Value() != nil, wtp.Value() != nil)
	}
}
