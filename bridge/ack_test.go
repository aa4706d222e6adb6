package bridge_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// heldSink accepts messages and reports nothing until released.
type heldSink struct {
	mu    sync.Mutex
	dones []func(error)
}

func (s *heldSink) Produce(_ context.Context, _ kafkasink.Message, done func(error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dones = append(s.dones, done)
}
func (s *heldSink) Flush(context.Context) error { return nil }
func (s *heldSink) Close(context.Context) error { s.release(); return nil }

func (s *heldSink) release() {
	s.mu.Lock()
	dones := s.dones
	s.dones = nil
	s.mu.Unlock()
	for _, done := range dones {
		if done != nil {
			done(nil)
		}
	}
}

// errorLog is an exporter error handler that keeps what it is given.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) handle(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) get() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// newPipeline builds what otelrelayertest.New builds, around any sink: a
// processor that is not the default and a provider that records every span.
func newPipeline(t *testing.T, sink kafkasink.Sink, opts ...exporter.Option) *sdktrace.TracerProvider {
	t.Helper()
	tp, _ := otelrelayertest.Pipeline(t, sink, append([]exporter.Option{exporter.WithoutDefault()}, opts...)...)
	return tp
}

func TestWithAck(t *testing.T) {
	t.Parallel()
	calls := []struct {
		name string
		call func(ctx context.Context, opts ...bridge.EmitOption) error
	}{
		{"Emit", func(ctx context.Context, opts ...bridge.EmitOption) error {
			return bridge.Emit(ctx, "orders", "created", 1, opts...)
		}},
		{"EmitRaw", func(ctx context.Context, opts ...bridge.EmitOption) error {
			return bridge.EmitRaw(ctx, "orders", 1, opts...)
		}},
	}
	tests := []struct {
		name        string
		failing     bool
		opts        []bridge.EmitOption
		wantErr     error // nil: Emit succeeds
		wantHandled error // nil: the error handler gets nothing
	}{
		{"in-memory sink, with ack", false, []bridge.EmitOption{bridge.WithAck()}, nil, nil},
		{"in-memory sink, without ack", false, nil, nil, nil},
		{"failing sink, with ack", true, []bridge.EmitOption{bridge.WithAck()}, errBroker, nil},
		{"failing sink, without ack, failing at once", true, nil, errBroker, nil}, // the caller could receive it
	}
	for _, tt := range tests {
		for _, c := range calls {
			t.Run(c.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				mem := otelrelayertest.NewSink()
				var sink kafkasink.Sink = mem
				if tt.failing {
					sink = otelrelayertest.NewFailingSink(errBroker)
				}
				var handled errorLog
				tp := newPipeline(t, sink, exporter.WithErrorHandler(handled.handle))
				ctx, span := tp.Tracer("test").Start(t.Context(), "request")
				defer span.End()

				err := c.call(ctx, tt.opts...)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if err != nil && !strings.Contains(err.Error(), `"orders"`) {
					t.Errorf("error %q does not name the topic", err)
				}
				got := handled.get()
				switch {
				case tt.wantHandled == nil && len(got) != 0:
					t.Errorf("error handler got %v, want nothing", got)
				case tt.wantHandled != nil && (len(got) != 1 || !errors.Is(got[0], tt.wantHandled)):
					t.Errorf("error handler got %v, want one error wrapping %v", got, tt.wantHandled)
				case tt.wantHandled != nil && !strings.Contains(got[0].Error(), `"orders"`):
					t.Errorf("handled error %q does not name the topic", got[0])
				}
				if !tt.failing {
					if n := len(mem.Messages("orders")); n != 1 {
						t.Errorf("got %d messages, want 1", n)
					}
				}
			})
		}
	}
}

// TestWithAckStopsWaitingWhenContextIsDone uses a sink that never reports, and
// a context that is already done, so no timing is involved.
func TestWithAckStopsWaitingWhenContextIsDone(t *testing.T) {
	t.Parallel()
	sink := &heldSink{}
	var handled errorLog
	tp := newPipeline(t, sink, exporter.WithErrorHandler(handled.handle))
	ctx, span := tp.Tracer("test").Start(t.Context(), "request")
	defer span.End()
	done, cancel := context.WithCancel(ctx)
	cancel()

	err := bridge.Emit(done, "orders", "created", 1, bridge.WithAck())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !strings.Contains(err.Error(), `"orders"`) {
		t.Errorf("error %q does not name the topic", err)
	}
	sink.release()
	if got := handled.get(); len(got) != 0 {
		t.Errorf("error handler got %v, want nothing", got)
	}
}

func header(hs []kafkasink.Header, key string) string {
	for _, h := range hs {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// An event the broker refused is not a line of the request log: the caller
// was told it failed.
func TestRefusedAckIsNoLine(t *testing.T) {
	sink := otelrelayertest.NewFailingSink(errBroker, "orders")
	tp := newPipeline(t, sink)
	ctx, span := tp.Tracer("test").Start(t.Context(), "request")
	if err := bridge.Emit(ctx, "orders", "created", 1, bridge.WithAck()); !errors.Is(err, errBroker) {
		t.Fatalf("Emit = %v, want %v", err, errBroker)
	}
	if err := bridge.Emit(ctx, "audit", "seen", 2, bridge.WithAck()); err != nil {
		t.Fatal(err)
	}
	span.End()
	logs := sink.Messages("logging")
	if len(logs) != 1 {
		t.Fatalf("got %d request logs", len(logs))
	}
	var l wire.RequestLog
	if err := json.Unmarshal(logs[0].Value, &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Lines) != 1 || l.Lines[0].EventType != "audit" {
		t.Fatalf("lines %+v, want only the acknowledged event", l.Lines)
	}
}
