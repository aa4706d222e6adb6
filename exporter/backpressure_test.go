package exporter_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

var errLost = errors.New("record lost")

// pendingSink records request logs and holds every event's done callback,
// so a test decides when and how each event is delivered. With full set, it
// behaves like a full producer: it waits for ctx, then fails.
type pendingSink struct {
	*otelrelayertest.Sink
	mu      sync.Mutex
	pending []func(error)
	full    bool
	waited  []bool // per refused event: whether ctx was still live (it waited)
}

func (s *pendingSink) Produce(ctx context.Context, m kafkasink.Message, done func(error)) {
	if m.Topic == "logging" {
		s.Sink.Produce(ctx, m, done)
		return
	}
	s.mu.Lock()
	if s.full {
		s.waited = append(s.waited, ctx.Err() == nil)
		s.mu.Unlock()
		<-ctx.Done()
		done(kafkasink.ErrBufferFull)
		return
	}
	s.pending = append(s.pending, done)
	s.mu.Unlock()
}

func (s *pendingSink) deliver(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, done := range s.pending {
		done(err)
	}
	s.pending = nil
}

func TestDeliveryFailuresAreCounted(t *testing.T) {
	tests := []struct {
		name        string
		opts        []exporter.Option
		full        bool
		cancelled   bool // the caller's context is already done
		wantEmitErr bool
		wantHandled int
		wantWaited  bool
		wantLines   int
		wantDropped int
		failLater   bool
	}{
		{"delivered", nil, false, false, false, 0, false, 2, 0, false},
		{"failed after Emit returned: error handler", nil, false, false, false, 2, false, 2, 2, true},
		{"full, caller waits until its context ends", nil, true, false, true, 0, true, 0, 2, false},
		{"full, caller's context already done", nil, true, true, true, 0, false, 0, 2, false},
		{"full, WithDropWhenFull never waits", []exporter.Option{exporter.WithDropWhenFull()}, true, false, true, 0, false, 0, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &pendingSink{Sink: otelrelayertest.NewSink(), full: tt.full}
			var mu sync.Mutex
			var handled []error
			tp := newTracerProvider(t, sink, append(tt.opts, exporter.WithErrorHandler(func(err error) {
				mu.Lock()
				handled = append(handled, err)
				mu.Unlock()
			}))...)
			ctx, span := tp.Tracer("t").Start(t.Context(), "request")
			for i := range 2 {
				callCtx, cancel := context.WithCancel(ctx)
				if tt.cancelled {
					cancel()
				} else if tt.full {
					// The caller's deadline bounds the wait for space.
					callCtx, cancel = context.WithTimeout(ctx, 20*time.Millisecond)
				}
				err := bridge.Emit(callCtx, "orders", "created", i)
				cancel()
				if (err != nil) != tt.wantEmitErr || err != nil && !errors.Is(err, kafkasink.ErrBufferFull) {
					t.Fatalf("Emit = %v, want error: %v", err, tt.wantEmitErr)
				}
			}
			if tt.failLater {
				sink.deliver(errLost)
			} else {
				sink.deliver(nil)
			}
			span.End()
			if err := tp.ForceFlush(t.Context()); err != nil { // the error handler's calls too
				t.Fatal(err)
			}
			for _, w := range sink.waited {
				if w != tt.wantWaited {
					t.Errorf("the sink was given a live context: %v, want %v", w, tt.wantWaited)
				}
			}
			mu.Lock()
			if len(handled) != tt.wantHandled {
				t.Errorf("error handler got %v, want %d errors", handled, tt.wantHandled)
			}
			for _, err := range handled {
				if !errors.Is(err, errLost) {
					t.Errorf("handled %v, want it to wrap %v", err, errLost)
				}
			}
			mu.Unlock()
			l := requestLogs(t, sink.Messages("logging"))
			if len(l) != 1 || len(l[0].Lines) != tt.wantLines || l[0].DroppedEvents != tt.wantDropped {
				t.Fatalf("request log: %+v, want %d lines and %d dropped events", l, tt.wantLines, tt.wantDropped)
			}
		})
	}
}

// asyncSink answers every event from another goroutine, racing with
// Produce's return.
type asyncSink struct {
	*otelrelayertest.Sink
}

func (s asyncSink) Produce(ctx context.Context, m kafkasink.Message, done func(error)) {
	if m.Topic == "logging" {
		s.Sink.Produce(ctx, m, done)
		return
	}
	go done(errLost)
	time.Sleep(50 * time.Microsecond) // sometimes before, sometimes after
}

// A failure answered while Produce returns is reported exactly once: to the
// caller, or to the error handler (run under -race: the result is handed
// over between goroutines).
func TestFailureAnsweredWhileProducing(t *testing.T) {
	for range 100 {
		sink := asyncSink{otelrelayertest.NewSink()}
		handled := make(chan error, 1)
		tp := newTracerProvider(t, sink, exporter.WithErrorHandler(func(err error) { handled <- err }))
		ctx, span := tp.Tracer("t").Start(t.Context(), "request")
		err := bridge.Emit(ctx, "orders", "created", 1)
		if err == nil {
			if herr := <-handled; !errors.Is(herr, errLost) || !strings.Contains(herr.Error(), "event 0") {
				t.Fatalf("Emit succeeded and the handler got %v, want the failure naming the event", herr)
			}
		} else if !errors.Is(err, errLost) {
			t.Fatalf("Emit = %v, want the failure", err)
		}
		span.End()
		l := requestLogs(t, sink.Messages("logging"))
		if l[0].DroppedEvents != 1 {
			t.Fatalf("request log %+v: the failed event is not counted", l[0])
		}
		if err != nil && len(l[0].Lines) != 0 {
			t.Fatalf("request log %+v: an event refused to the caller is a line", l[0])
		}
	}
}

// A caller that stops waiting for an acknowledgement leaves the answer to
// the error handler; the event, handed to the producer, is a line of its
// request marked unacknowledged, and dropped_events counts it if it fails.
func TestAbandonedAcknowledgement(t *testing.T) {
	for _, tt := range []struct {
		name        string
		answer      error
		wantHandled int
		wantLines   int
		wantDropped int
	}{
		{"delivered later", nil, 0, 1, 0},
		{"failed later", errLost, 1, 1, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sink := &pendingSink{Sink: otelrelayertest.NewSink()}
			var mu sync.Mutex
			handled := 0
			tp := newTracerProvider(t, sink, exporter.WithErrorHandler(func(error) { mu.Lock(); handled++; mu.Unlock() }))
			ctx, span := tp.Tracer("t").Start(t.Context(), "request")
			waitCtx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
			err := bridge.Emit(waitCtx, "orders", "created", 1, bridge.WithAck())
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Emit = %v, want the caller's deadline", err)
			}
			sink.deliver(tt.answer)
			span.End()
			if err := tp.ForceFlush(t.Context()); err != nil { // the error handler's calls too
				t.Fatal(err)
			}
			mu.Lock()
			if handled != tt.wantHandled {
				t.Errorf("error handler called %d times, want %d", handled, tt.wantHandled)
			}
			mu.Unlock()
			l := requestLogs(t, sink.Messages("logging"))[0]
			if len(l.Lines) != tt.wantLines || l.DroppedEvents != tt.wantDropped {
				t.Errorf("request log: %d lines, %d dropped events; want %d and %d", len(l.Lines), l.DroppedEvents, tt.wantLines, tt.wantDropped)
			}
			if len(l.Lines) == 1 && !l.Lines[0].Unacknowledged {
				t.Errorf("line %s is not marked unacknowledged", l.Lines[0].Raw)
			}
		})
	}
}

// Log outside a request writes at once: a refusal it can see is returned,
// as Emit does, not sent to the error handler.
func TestLogOutsideARequestReturnsARefusal(t *testing.T) {
	var handled atomic.Int64
	tp := newTracerProvider(t, otelrelayertest.NewFailingSink(kafkasink.ErrBufferFull), exporter.WithErrorHandler(func(error) { handled.Add(1) }))
	ctx, span := tp.Tracer("t").Start(t.Context(), "request")
	// The request is over (its log refused: reported, no caller), so the
	// next Log has none; ForceFlush waits for that report.
	span.End()
	if err := tp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	before := handled.Load()
	if err := bridge.Log(ctx, "info", "late"); !errors.Is(err, kafkasink.ErrBufferFull) {
		t.Fatalf("Log = %v, want ErrBufferFull", err)
	}
	if err := tp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if handled.Load() != before {
		t.Errorf("the error handler also got it")
	}
}
