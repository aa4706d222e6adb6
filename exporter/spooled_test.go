package exporter_test

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// A message the spool keeps on disk (kafkasink.ErrSpooled) is not lost:
// no error-handler call, no dropped event; an event is a line of its
// request (marked unacknowledged when its caller asked for the
// acknowledgement), and only a caller waiting for it hears that there was
// none.
func TestSpooledIsNeitherAFailureNorADrop(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      []bridge.EmitOption
		wantErr   error
		wantLines int
	}{
		{"without WithAck", nil, nil, 1},
		{"WithAck", []bridge.EmitOption{bridge.WithAck()}, kafkasink.ErrSpooled, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := otelrelayertest.NewFailingSink(kafkasink.ErrSpooled, "orders")
			var handled atomic.Int64
			tp := newTracerProvider(t, sink, exporter.WithErrorHandler(func(error) { handled.Add(1) }))
			ctx, span := tp.Tracer("t").Start(t.Context(), "request")
			if err := bridge.Emit(ctx, "orders", "created", 1, tc.opts...); !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("Emit = %v, want %v", err, tc.wantErr)
			}
			span.End()
			if err := tp.ForceFlush(t.Context()); err != nil {
				t.Fatal(err)
			}
			if n := handled.Load(); n != 0 {
				t.Errorf("the error handler was called %d times", n)
			}
			l := requestLogs(t, sink.Messages("logging"))
			if len(l) != 1 || len(l[0].Lines) != tc.wantLines || l[0].DroppedEvents != 0 {
				t.Fatalf("request log %+v: want %d lines and no dropped event", l, tc.wantLines)
			}
			if unacked := tc.wantErr != nil; l[0].Lines[0].Unacknowledged != unacked {
				t.Errorf("line %s: unacknowledged = %v, want %v", l[0].Lines[0].Raw, !unacked, unacked)
			}
		})
	}
}
