package exporter_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

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
			rp := newReservePipeline(t, tc.opts...)
			reqCtx, span := rp.tp.Tracer("t").Start(t.Context(), "job")
			rp.fillWithEvents(t, reqCtx, tc.ctx)
			span.End() // its request log needs the reserve
			rp.shutdown(t, "9 events (", "and 1 request logs not delivered")
		})
	}
}

// A Log outside any request is the caller's, which may wait like an event:
// it must not take the reserve either, or a burst of them (every Log on an
// unsampled span) refuses the request logs the reserve is kept for.
func TestLogOutsideARequestDoesNotTakeTheReserve(t *testing.T) {
	rp := newReservePipeline(t, exporter.WithDropWhenFull())
	ctx, span := rp.tp.Tracer("t").Start(t.Context(), "request")
	rp.fillWithEvents(t, ctx, func(ctx context.Context) (context.Context, context.CancelFunc) { return context.WithCancel(ctx) })
	waitCtx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := rp.p.Log(waitCtx, bridge.LogRecord{Level: "info", Payload: []byte(`"outside"`), Time: time.Now()})
	if !errors.Is(err, kafkasink.ErrBufferFull) {
		t.Errorf("Log outside a request with a full buffer = %v, want ErrBufferFull after its context", err)
	}
	span.End()
	rp.shutdown(t, "9 events (", "and 1 request logs not delivered")
}

// reservePipeline is a processor over a producer of 10 records (9 for
// everybody, 1 reserved) whose broker never answers.
type reservePipeline struct {
	p  *exporter.Processor
	tp *sdktrace.TracerProvider

	mu      sync.Mutex
	handled []error
}

func newReservePipeline(t *testing.T, opts ...exporter.Option) *reservePipeline {
	t.Helper()
	sink, err := kafkasink.New(kafkasink.WithBrokers(deadAddr(t)), kafkasink.WithoutEnvironment(),
		kafkasink.WithLogger(nil), kafkasink.WithMaxBufferedRecords(10))
	if err != nil {
		t.Fatal(err)
	}
	rp := &reservePipeline{}
	opts = append(opts, exporter.WithoutDefault(), exporter.WithoutEnvironment(), exporter.WithErrorHandler(func(err error) {
		rp.mu.Lock()
		rp.handled = append(rp.handled, err)
		rp.mu.Unlock()
	}))
	if rp.p, err = exporter.New("logging", sink, opts...); err != nil {
		t.Fatal(err)
	}
	rp.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rp.p))
	t.Cleanup(func() { bridge.Unregister(rp.p) })
	return rp
}

// fillWithEvents emits 20 events, each with a context from callCtx: 9 are
// admitted, the rest refused, and the reserve is left.
func (rp *reservePipeline) fillWithEvents(t *testing.T, ctx context.Context, callCtx func(context.Context) (context.Context, context.CancelFunc)) {
	t.Helper()
	refused := 0
	for i := range 20 {
		ctx, cancel := callCtx(ctx)
		if err := bridge.Emit(ctx, "orders", "created", i); errors.Is(err, kafkasink.ErrBufferFull) {
			refused++
		} else if err != nil {
			t.Fatalf("Emit %d: %v", i, err)
		}
		cancel()
	}
	if refused != 11 {
		t.Fatalf("%d of 20 events refused, want 11 (9 admitted, the reserve kept)", refused)
	}
}

// shutdown shuts the provider down within 2s (the producer keeps the last
// quarter of it, at most 1s, to fail what it holds and run their callbacks:
// 125ms of a 500ms budget was too short under -race on a loaded machine,
// and Shutdown then returned the producer's count alone): its error must contain
// each of want (what was admitted, undelivered), and no request log may have
// been refused (every error-handler call happens before Shutdown returns).
func (rp *reservePipeline) shutdown(t *testing.T, want ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	err := rp.tp.Shutdown(ctx)
	for _, w := range want {
		if !errors.Is(err, kafkasink.ErrUndelivered) || !strings.Contains(err.Error(), w) {
			t.Errorf("Shutdown = %v, want ErrUndelivered saying %q", err, w)
		}
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	for _, err := range rp.handled {
		if errors.Is(err, kafkasink.ErrBufferFull) {
			t.Errorf("a request log was refused: %v", err)
		}
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
