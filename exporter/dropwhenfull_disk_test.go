package exporter_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// stalledDiskSink is a spooled kafkasink.Producer whose disk stalls, as its
// documentation describes it: a message waits for its commit within ctx
// when ctx is live on entry (done then gets ErrNotCommitted), and without
// bound when ctx is already done (Produce's "do not wait for room", which
// still waits for the disk). Request logs go through.
type stalledDiskSink struct {
	*otelrelayertest.Sink
	disk chan struct{} // closed when the disk comes back
}

func (s *stalledDiskSink) Produce(ctx context.Context, m kafkasink.Message, done func(error)) {
	s.ProduceWith(ctx, m, kafkasink.ProduceOptions{NoWait: ctx.Err() != nil}, done)
}

func (s *stalledDiskSink) ProduceWith(ctx context.Context, m kafkasink.Message, o kafkasink.ProduceOptions, done func(error)) {
	if m.Topic == "logging" || o.NoWait && o.Reserve {
		s.Sink.Produce(ctx, m, done)
		return
	}
	var ctxDone <-chan struct{}
	if ctx.Err() == nil {
		ctxDone = ctx.Done()
	}
	select {
	case <-s.disk:
		done(nil)
	case <-ctxDone:
		done(fmt.Errorf("%w: %w", kafkasink.ErrNotCommitted, ctx.Err()))
	}
}

// TestEmitWithDropWhenFullReturnsWithinItsContextOnAStalledDisk: with
// WithDropWhenFull, Emit must not wait for buffer room, but with a spool it
// waits for its event's fsync, and the docs promise that this wait ends with
// the caller's context (ErrNotCommitted). The sink must then be told "do not
// wait for room" explicitly, with the caller's live context, not with a
// context already done, which the spool takes as "wait for the disk without
// bound".
func TestEmitWithDropWhenFullReturnsWithinItsContextOnAStalledDisk(t *testing.T) {
	sink := &stalledDiskSink{Sink: otelrelayertest.NewSink(), disk: make(chan struct{})}
	defer close(sink.disk)
	tp := newTracerProvider(t, sink, exporter.WithDropWhenFull())
	ctx, span := tp.Tracer("t").Start(t.Context(), "request")
	defer span.End()
	callCtx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- bridge.Emit(callCtx, "orders", "created", 1) }()
	select {
	case err := <-errc:
		if !errors.Is(err, kafkasink.ErrNotCommitted) {
			t.Fatalf("Emit = %v, want an error wrapping ErrNotCommitted", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Emit with WithDropWhenFull did not return after its context ended while the disk stalled")
	}
}
