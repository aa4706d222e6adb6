package bridge

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"weak"

	"go.opentelemetry.io/otel/trace"
)

// Issue 11, point 2, at the registry: Retire leaves tombstones that answer
// ErrShutdown and hold neither the pipeline nor its providers.
func TestRetire(t *testing.T) {
	noSpan := trace.SpanFromContext(context.Background())
	wantShutdown := func(t *testing.T, span trace.Span) {
		t.Helper()
		p, err := pipelineFor(span)
		if err != nil {
			t.Fatalf("pipelineFor: %v", err)
		}
		if _, err := p.Emit(context.Background(), EmitRecord{}); !errors.Is(err, ErrShutdown) {
			t.Fatalf("Emit through %T: %v, want ErrShutdown", p, err)
		}
		if err := p.Log(context.Background(), LogRecord{}); !errors.Is(err, ErrShutdown) {
			t.Fatalf("Log through %T: %v, want ErrShutdown", p, err)
		}
	}
	t.Run("the default and the bindings answer ErrShutdown", func(t *testing.T) {
		isolateRegistry(t)
		p, tp := &fakePipeline{name: "p"}, &fakeProvider{id: 1}
		Register(p)
		_ = Bind(tp, p)
		Retire(p)
		wantShutdown(t, noSpan)
		wantShutdown(t, spanOf{tp: tp})
		Unregister(p)
		if _, err := pipelineFor(spanOf{tp: tp}); !errors.Is(err, ErrNotInstalled) {
			t.Fatalf("after Unregister: %v, want ErrNotInstalled", err)
		}
	})
	t.Run("a live default registered later wins", func(t *testing.T) {
		isolateRegistry(t)
		old, cur := &fakePipeline{name: "old"}, &fakePipeline{name: "cur"}
		Register(old)
		Retire(old)
		Register(cur)
		if got, _ := pipelineFor(noSpan); got != Pipeline(cur) {
			t.Fatalf("default %v, want cur", got)
		}
		Unregister(cur)
		wantShutdown(t, noSpan)
	})
	t.Run("a provider bound again is live again", func(t *testing.T) {
		isolateRegistry(t)
		old, cur, tp := &fakePipeline{name: "old"}, &fakePipeline{name: "cur"}, &fakeProvider{id: 2}
		_ = Bind(tp, old)
		Retire(old)
		_ = Bind(tp, cur)
		if got, _ := pipelineFor(spanOf{tp: tp}); got != Pipeline(cur) {
			t.Fatalf("pipeline %v, want cur", got)
		}
	})
	t.Run("a provider retired before it was bound", func(t *testing.T) {
		isolateRegistry(t)
		p, tp := &fakePipeline{name: "p"}, &fakeProvider{id: 3}
		RetireProvider(tp, p)
		wantShutdown(t, spanOf{tp: tp})
		RetireProvider(fakeProvider{}, p) // not a pointer: ignored
	})
	t.Run("registered and retired one after the other leave one tombstone", func(t *testing.T) {
		isolateRegistry(t)
		for range 100 {
			p := &fakePipeline{}
			Register(p)
			Retire(p)
		}
		if n := len(registry.snap.Load().defaults); n != 1 {
			t.Fatalf("%d defaults, want 1 tombstone", n)
		}
	})
	t.Run("nothing keeps a retired pipeline or its provider alive", func(t *testing.T) {
		isolateRegistry(t)
		wp, wtp := func() (weak.Pointer[fakePipeline], weak.Pointer[fakeProvider]) {
			p, tp := &fakePipeline{name: "p"}, &fakeProvider{id: 4}
			Register(p)
			_ = Bind(tp, p)
			Retire(p)
			return weak.Make(p), weak.Make(tp)
		}()
		runtime.GC()
		runtime.GC()
		if wp.Value() != nil || wtp.Value() != nil {
			t.Fatalf("pipeline reachable %v, provider reachable %v", wp.Value() != nil, wtp.Value() != nil)
		}
		Register(&fakePipeline{}) // any change drops tombstones of reclaimed providers
		if n := len(registry.snap.Load().retired); n != 0 {
			t.Fatalf("%d retired providers kept after theirs were reclaimed", n)
		}
	})
}
