package exporter_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// An error handler may call Emit, an obvious thing to do with a failure
// (emit a "delivery failed" event), even while callers keep the buffer
// full: the handler runs on a goroutine of the processor's, not on the
// producer's callback goroutine, so an Emit waiting in it for buffer space
// cannot stall the callbacks that would free that space.
func TestErrorHandlerMayEmit(t *testing.T) {
	sink, err := kafkasink.New(kafkasink.WithBrokers(deadAddr(t)), kafkasink.WithoutEnvironment(), kafkasink.WithLogger(nil),
		kafkasink.WithMaxBufferedRecords(10), kafkasink.WithDeliveryTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var handled atomic.Int64
	var handlerCtx atomic.Pointer[context.Context] // the request's, without deadline: Emit reaches this pipeline
	tp := newTracerProvider(t, sink, exporter.WithErrorHandler(func(err error) {
		if errors.Is(err, bridge.ErrShutdown) {
			return
		}
		handled.Add(1)
		// Two events for one failure, each waiting for room as long as
		// it takes, as a naive handler would: the room the failed record
		// left is not enough.
		ctx := *handlerCtx.Load()
		_ = bridge.Emit(ctx, "delivery_failed", "orders", err.Error())
		_ = bridge.Emit(ctx, "alerts", "delivery", err.Error())
	}))
	ctx, span := tp.Tracer("t").Start(t.Context(), "job")
	defer span.End()
	noDeadline := context.WithoutCancel(ctx)
	handlerCtx.Store(&noDeadline)

	// Callers keep the buffer full: each waits up to 3s for room.
	var accepted atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range 4 {
				callCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
				if bridge.Emit(callCtx, "orders", "created", i) == nil {
					accepted.Add(1)
				}
				cancel()
			}
		})
	}
	wg.Wait()
	// Every accepted event fails after its second of delivery timeout
	// (there is no broker), and each failure reaches the handler; failures
	// of the handler's own events too, until the test ends.
	deadline := time.Now().Add(30 * time.Second)
	for handled.Load() < accepted.Load() {
		if time.Now().After(deadline) {
			t.Fatalf("the error handler got %d of %d failures: delivery stalled", handled.Load(), accepted.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	shutCtx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_ = tp.Shutdown(shutCtx)
}
