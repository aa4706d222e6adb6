package exporter_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// holdingSink keeps every message and its callback, as a producer does while
// the broker is slow, until Flush answers them.
type holdingSink struct {
	mu    sync.Mutex
	msgs  []kafkasink.Message
	dones []func(error)
}

func (s *holdingSink) Produce(_ context.Context, m kafkasink.Message, done func(error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs, s.dones = append(s.msgs, m), append(s.dones, done)
}

func (s *holdingSink) Flush(context.Context) error {
	s.mu.Lock()
	dones := s.dones
	s.dones = nil
	s.mu.Unlock()
	for _, done := range dones {
		done(nil)
	}
	return nil
}

func (s *holdingSink) Close(ctx context.Context) error { return s.Flush(ctx) }

// A request log (or an event) waiting in the sink holds its bytes, not the
// root span it came from: the producer's byte bound counts only the former.
func TestMessagesInFlightDoNotPinTheRootSpan(t *testing.T) {
	sink := &holdingSink{}
	tp := newTracerProvider(t, sink)
	collected := make(chan struct{})
	func() {
		big := string(make([]byte, 1<<20)) // an attribute only the span holds
		runtime.AddCleanup(unsafe.StringData(big), func(ch chan struct{}) { close(ch) }, collected)
		ctx, span := tp.Tracer("t").Start(context.Background(), "req", trace.WithAttributes(attribute.String("big", big)))
		if err := bridge.Emit(ctx, "order_created", "ok", map[string]int{"n": 1}); err != nil {
			t.Fatal(err)
		}
		span.End()
	}()
	sink.mu.Lock()
	held := len(sink.msgs)
	sink.mu.Unlock()
	if held != 2 {
		t.Fatalf("the sink holds %d messages, want an event and a request log", held)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		select {
		case <-collected:
			runtime.KeepAlive(sink)
			return
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the ended root span is still reachable while its messages wait in the sink")
		}
	}
}
