package exporter_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/wire"
)

// The relayer.emit span event names the event ID of the message produced,
// with and without WithAck, and keeps it when the sink reuses the header
// bytes it was given.
func TestEmitSpanEventNamesTheProducedEventID(t *testing.T) {
	tests := []struct {
		name string
		opts []bridge.EmitOption
	}{
		{"without WithAck", nil},
		{"with WithAck", []bridge.EmitOption{bridge.WithAck()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &reusingSink{}
			p, err := exporter.New("logging", sink, exporter.WithoutDefault())
			if err != nil {
				t.Fatal(err)
			}
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p), sdktrace.WithSpanProcessor(rec))
			defer func() { _ = tp.Shutdown(context.Background()) }()
			ctx, span := tp.Tracer("t").Start(context.Background(), "request")
			if err := bridge.Emit(ctx, "entity_created", "order", map[string]int{"id": 1}, tt.opts...); err != nil {
				t.Fatal(err)
			}
			span.End()
			var got []string
			for _, s := range rec.Ended() {
				for _, ev := range s.Events() {
					for _, a := range ev.Attributes {
						if a.Key == bridge.EventIDKey {
							got = append(got, a.Value.AsString())
						}
					}
				}
			}
			sink.mu.Lock()
			defer sink.mu.Unlock()
			if len(got) != 1 || len(sink.ids) < 1 || got[0] != sink.ids[0] {
				t.Fatalf("span event's event IDs %q, produced %q", got, sink.ids)
			}
		})
	}
}

// reusingSink answers each message at once, keeps a copy of each event's
// ID header and of each request log, then writes over the event's header
// bytes, as a sink that reuses its buffers would (beyond the Sink contract,
// to show that nothing the exporter keeps depends on them).
type reusingSink struct {
	mu       sync.Mutex
	ids      []string
	requests [][]byte
}

func (s *reusingSink) Produce(_ context.Context, m kafkasink.Message, done func(error)) {
	s.mu.Lock()
	if m.Topic == "logging" {
		s.requests = append(s.requests, bytes.Clone(m.Value))
		s.mu.Unlock()
		done(nil)
		return
	}
	for _, h := range m.Headers {
		if h.Key == wire.EventIDHeader {
			s.ids = append(s.ids, string(h.Value))
		}
	}
	s.mu.Unlock()
	done(nil)
	for _, h := range m.Headers {
		copy(h.Value, bytes.Repeat([]byte("x"), len(h.Value)))
	}
}
func (*reusingSink) Flush(context.Context) error { return nil }
func (*reusingSink) Close(context.Context) error { return nil }

// The request log's line of an event names the event ID produced, as the
// span event does, when the sink reuses the header bytes it was given once
// it has answered: the line is written after Produce returns.
func TestEventLineNamesTheProducedEventID(t *testing.T) {
	tests := []struct {
		name string
		opts []bridge.EmitOption
	}{
		{"without WithAck", nil},
		{"with WithAck", []bridge.EmitOption{bridge.WithAck()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &reusingSink{}
			p, err := exporter.New("logging", sink, exporter.WithoutDefault())
			if err != nil {
				t.Fatal(err)
			}
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
			defer func() { _ = tp.Shutdown(context.Background()) }()
			ctx, span := tp.Tracer("t").Start(context.Background(), "request")
			if err := bridge.Emit(ctx, "entity_created", "order", map[string]int{"id": 1}, tt.opts...); err != nil {
				t.Fatal(err)
			}
			span.End()
			sink.mu.Lock()
			defer sink.mu.Unlock()
			if len(sink.ids) != 1 || len(sink.requests) != 1 {
				t.Fatalf("produced event IDs %q and %d request logs, want one of each", sink.ids, len(sink.requests))
			}
			if want := `"event_id":"` + sink.ids[0] + `"`; !bytes.Contains(sink.requests[0], []byte(want)) {
				t.Fatalf("request log %s does not hold %s", sink.requests[0], want)
			}
		})
	}
}
