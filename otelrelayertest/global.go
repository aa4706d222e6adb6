package otelrelayertest

import (
	"context"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
	"go.opentelemetry.io/otel/trace/noop"
)

// OpenTelemetry's global tracer provider hands package-level tracers
// (var tracer = otel.Tracer("pkg")) to the first provider ever set, once per
// process. Patch therefore installs one switching provider, once, and points
// it at each test's provider in turn, so such tracers follow every Patch.
var switching = &switchingProvider{}

var installSwitching sync.Once

type switchingProvider struct {
	embedded.TracerProvider
	current atomic.Pointer[trace.TracerProvider]
}

// set points the switching provider at tp and returns a function restoring
// the previous one.
func (s *switchingProvider) set(tp trace.TracerProvider) (restore func()) {
	prev := s.current.Swap(&tp)
	return func() { s.current.Store(prev) }
}

func (s *switchingProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return &switchingTracer{p: s, name: name, opts: opts}
}

type switchingTracer struct {
	embedded.Tracer
	p    *switchingProvider
	name string
	opts []trace.TracerOption
}

// Start starts the span with the provider current at this moment: the
// spans are the real SDK's.
func (t *switchingTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	var tp trace.TracerProvider = noop.NewTracerProvider()
	if cur := t.p.current.Load(); cur != nil {
		tp = *cur
	}
	return tp.Tracer(t.name, t.opts...).Start(ctx, name, opts...)
}

// installGlobal makes tp the tracer provider behind otel.GetTracerProvider
// until restore is called.
func installGlobal(tp trace.TracerProvider) (restore func()) {
	prevGlobal := otel.GetTracerProvider()
	installSwitching.Do(func() { otel.SetTracerProvider(switching) }) // the one delegation
	otel.SetTracerProvider(switching)
	undo := switching.set(tp)
	return func() {
		undo()
		if prevGlobal != switching {
			otel.SetTracerProvider(prevGlobal)
		}
	}
}
