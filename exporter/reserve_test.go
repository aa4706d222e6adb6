package exporter_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// Events that fill the producer's buffer cannot take the room kept for
// request logs: the request log written when the root ends is admitted into
// the reserve (kafkasink.Reserved), where every further event is refused.
func TestRequestLogUsesTheProducersReserve(t *testing.T) {
	_, tp, handled := reservePipeline(t)
	ctx, span := tp.Tracer("t").Start(t.Context(), "request")
	fillWithEvents(t, ctx)
	span.End() // writes the request log; a refusal would reach the handler now
	select {
	case err := <-handled:
		t.Fatalf("the request log was refused: %v", err)
	default:
	}
}

// A Log outside any request is the caller's, which may wait like an event:
// it must not take the reserve either, or a burst of them (every Log on an
// unsampled span) refuses the request logs the reserve is kept for.
func TestLogOutsideARequestDoesNotTakeTheReserve(t *testing.T) {
	p, tp, handled := reservePipeline(t)
	ctx, span := tp.Tracer("t").Start(t.Context(), "request")
	fillWithEvents(t, ctx)
	waitCtx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := p.Log(waitCtx, bridge.LogRecord{Level: "info", Payload: []byte(`"outside"`), Time: time.Now()})
	if !errors.Is(err, kafkasink.ErrBufferFull) {
		t.Errorf("Log outside a request with a full buffer = %v, want ErrBufferFull after its context", err)
	}
	span.End()
	select {
	case err := <-handled:
		t.Fatalf("the request log was refused: %v", err)
	default:
	}
}

// reservePipeline is a processor over a producer of 10 records (9 for
// everybody, 1 reserved) whose broker never answers; handled receives what
// the error handler gets. The provider is shut down at once when t ends.
func reservePipeline(t *testing.T) (*exporter.Processor, *sdktrace.TracerProvider, chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens: every record stays in flight
	sink, err := kafkasink.New(kafkasink.WithBrokers(addr), kafkasink.WithoutEnvironment(), kafkasink.WithLogger(nil),
		kafkasink.WithMaxBufferedRecords(10)) // 9 for everybody, 1 reserved
	if err != nil {
		t.Fatal(err)
	}
	handled := make(chan error, 64)
	p, err := exporter.New("logging", sink, exporter.WithoutDefault(), exporter.WithoutEnvironment(), exporter.WithDropWhenFull(),
		exporter.WithErrorHandler(func(err error) { handled <- err }))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
	t.Cleanup(func() {
		canceled, cancel := context.WithCancel(context.Background())
		cancel()
		_ = tp.Shutdown(canceled) // fails the records in flight, at once
		bridge.Unregister(p)
	})
	return p, tp, handled
}

// fillWithEvents emits 20 events under WithDropWhenFull: 9 are admitted,
// the rest refused, and the reserve is left.
func fillWithEvents(t *testing.T, ctx context.Context) {
	t.Helper()
	refused := 0
	for i := range 20 {
		if err := bridge.Emit(ctx, "orders", "created", i); errors.Is(err, kafkasink.ErrBufferFull) {
			refused++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if refused != 11 {
		t.Fatalf("%d of 20 events refused, want 11 (9 admitted, the reserve kept)", refused)
	}
}
