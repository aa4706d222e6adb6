package bridge

import (
	"context"
	"errors"
	"testing"
)

// A pipeline of a fanout that has shut down but is not retired yet (its
// Shutdown sets its state before it calls Retire) is one being removed:
// the others' success is the call's, not ErrShutdown. Only when every
// pipeline has shut down is the call refused with ErrShutdown.
func TestAFanoutMemberShuttingDownIsNoFailure(t *testing.T) {
	isolateRegistry(t)
	live, closing := &fakePipeline{name: "live"}, &fakePipeline{name: "closing", err: ErrShutdown}
	tp := fake(10)
	_ = Bind(tp, live)
	_ = Bind(tp, closing)
	p, err := pipelineFor(spanOf{tp: tp})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := p.Emit(ctx, EmitRecord{Topic: "orders", Value: []byte("1")}); err != nil {
		t.Errorf("Emit = %v, want nil: the live pipeline wrote it", err)
	}
	if err := p.Log(ctx, LogRecord{Level: "info", Payload: []byte("1")}); err != nil {
		t.Errorf("Log = %v, want nil: the live pipeline wrote it", err)
	}
	live.err = ErrShutdown
	if err := p.Log(ctx, LogRecord{Level: "info", Payload: []byte("1")}); !errors.Is(err, ErrShutdown) {
		t.Errorf("Log with every pipeline shut down = %v, want ErrShutdown", err)
	}
}
