package bridge

import (
	"context"
	"errors"
	"testing"
)

// As every span processor sees every span, every pipeline bound to a tracer
// provider receives every call with its spans; removing one (Retire, as its
// Shutdown does) leaves the others working, also as the default.
func TestEveryPipelineBoundToAProviderGetsEveryCall(t *testing.T) {
	isolateRegistry(t)
	first, second := &fakePipeline{name: "first"}, &fakePipeline{name: "second"}
	tp := fake(7)
	Register(first)
	Register(second)
	for _, p := range []Pipeline{first, second} {
		if err := Bind(tp, p); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	span := spanOf{tp: tp}
	call := func() error {
		p, err := pipelineFor(span)
		if err != nil {
			return err
		}
		if _, err := p.Emit(ctx, EmitRecord{Topic: "orders", Value: []byte("1")}); err != nil {
			return err
		}
		return p.Log(ctx, LogRecord{Level: "info", Payload: []byte("1")})
	}
	if err := call(); err != nil {
		t.Fatal(err)
	}
	if first.calls() != 2 || second.calls() != 2 {
		t.Fatalf("calls: first %d, second %d; want 2 each", first.calls(), second.calls())
	}

	Retire(second) // tp.UnregisterSpanProcessor shuts it down
	if err := call(); err != nil {
		t.Fatalf("after the second was removed: %v", err)
	}
	if first.calls() != 4 || second.calls() != 2 {
		t.Fatalf("calls after removing the second: first %d, second %d; want 4 and 2", first.calls(), second.calls())
	}
	if p, err := pipelineFor(spanOf{tp: fake(8)}); err != nil || p != Pipeline(first) {
		t.Fatalf("default after removing the second = %v, %v; want the first", p, err)
	}

	Retire(first)
	if err := call(); !errors.Is(err, ErrShutdown) {
		t.Fatalf("with both removed: %v, want ErrShutdown", err)
	}
}

// A failure of one pipeline is the caller's even when another wrote the
// event: it must not believe every cluster has it.
func TestAFanoutReportsEachPipelinesFailure(t *testing.T) {
	isolateRegistry(t)
	errFull := errors.New("full")
	ok, failing := &fakePipeline{name: "ok"}, &fakePipeline{name: "failing", err: errFull}
	tp := fake(9)
	_ = Bind(tp, ok)
	_ = Bind(tp, failing)
	p, err := pipelineFor(spanOf{tp: tp})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Emit(context.Background(), EmitRecord{Topic: "orders", Value: []byte("1")}); !errors.Is(err, errFull) {
		t.Fatalf("Emit = %v, want the failing pipeline's error", err)
	}
	if ok.calls() != 1 {
		t.Fatalf("the working pipeline got %d calls, want 1", ok.calls())
	}
}
