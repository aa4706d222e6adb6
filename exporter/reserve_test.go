package exporter_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// Events never take the share of the producer's buffer kept for request
// logs, under either back-pressure policy and whatever the state of the
// caller's context: with no broker and a tiny buffer, events fill their
// share and are refused, and the request log of their request still gets in.
func TestRequestLogReserveHolds(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []exporter.Option
		ctx  func(context.Context) (context.Context, context.CancelFunc)
	}{
		{"wait policy, live context", nil, func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, 5*time.Millisecond)
		}},
		{"wait policy, context already done", nil, func(ctx context.Context) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			return ctx, cancel
		}},
		{"drop policy", []exporter.Option{exporter.WithDropWhenFull()}, func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithCancel(ctx)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink, err := kafkasink.New(kafkasink.WithBrokers(deadAddr(t)), kafkasink.WithoutEnvironment(),
				kafkasink.WithLogger(nil), kafkasink.WithMaxBufferedRecords(10))
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var handled []error
			tp := newTracerProvider(t, sink, append(tc.opts, exporter.WithErrorHandler(func(err error) {
				mu.Lock()
				handled = append(handled, err)
				mu.Unlock()
			}))...)
			reqCtx, span := tp.Tracer("t").Start(t.Context(), "job")
			refused := 0
			for i := range 20 {
				ctx, cancel := tc.ctx(reqCtx)
				if err := bridge.Emit(ctx, "orders", "created", i); errors.Is(err, kafkasink.ErrBufferFull) {
					refused++
				} else if err != nil {
					t.Fatalf("Emit %d: %v", i, err)
				}
				cancel()
			}
			if refused != 11 { // 9 of 10 records for events
				t.Errorf("%d events refused, want 11: events took the reserve", refused)
			}
			span.End() // its request log needs the reserve
			ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
			defer cancel()
			err = tp.Shutdown(ctx)
			if !errors.Is(err, kafkasink.ErrUndelivered) || !strings.Contains(err.Error(), "9 events (") || !strings.Contains(err.Error(), "and 1 request logs not delivered") {
				t.Errorf("Shutdown = %v, want 9 events and 1 request log undelivered", err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, err := range handled {
				if errors.Is(err, kafkasink.ErrBufferFull) {
					t.Errorf("the request log was refused: %v", err)
				}
			}
		})
	}
}

// deadAddr is a loopback address where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
