package exporter_test

import (
	"context"
	"errors"
	"net"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// Events that fill the producer's buffer cannot take the room kept for
// request logs: the request log written when the root ends is admitted into
// the reserve (kafkasink.Reserved), where every further event is refused.
func TestRequestLogUsesTheProducersReserve(t *testing.T) {
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
	t.Cleanup(func() { bridge.Unregister(p) })
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
	ctx, span := tp.Tracer("t").Start(t.Context(), "request")
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
	span.End() // writes the request log; a refusal would reach the handler now
	select {
	case err := <-handled:
		t.Fatalf("the request log was refused: %v", err)
	default:
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	_ = tp.Shutdown(canceled) // fails the records in flight, at once
}
