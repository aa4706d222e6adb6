package exporter_test

import (
	"context"
	"runtime"
	"testing"
	"weak"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/wire"
)

// forgettingSink answers each message at once and keeps nothing of it but
// a weak pointer to its event ID header's bytes (the memory of the event's
// delivery state).
type forgettingSink struct{ idBytes []weak.Pointer[byte] }

func (s *forgettingSink) Produce(_ context.Context, m kafkasink.Message, done func(error)) {
	for _, h := range m.Headers {
		if h.Key == wire.EventIDHeader && len(h.Value) > 0 {
			s.idBytes = append(s.idBytes, weak.Make(&h.Value[0]))
		}
	}
	done(nil)
}
func (*forgettingSink) Flush(context.Context) error { return nil }
func (*forgettingSink) Close(context.Context) error { return nil }

// An acknowledged event's delivery state (its value, headers and request)
// is garbage once the sink answered, even while its span, which records the
// relayer.emit span event with the event's ID, is still held (by a batch
// span processor's queue, for example): the span event's ID must not point
// into it.
func TestASpanDoesNotKeepItsEventsDeliveryStateAlive(t *testing.T) {
	sink := &forgettingSink{}
	p, err := exporter.New("logging", sink, exporter.WithoutDefault())
	if err != nil {
		t.Fatal(err)
	}
	rec := tracetest.NewSpanRecorder() // holds the ended span and its events
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p), sdktrace.WithSpanProcessor(rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	ctx, span := tp.Tracer("t").Start(context.Background(), "request")
	if err := bridge.Emit(ctx, "entity_created", "order", map[string]int{"id": 1}); err != nil {
		t.Fatal(err)
	}
	span.End()
	if len(rec.Ended()) != 1 || len(sink.idBytes) == 0 {
		t.Fatalf("%d spans recorded, %d events produced", len(rec.Ended()), len(sink.idBytes))
	}
	runtime.GC()
	runtime.GC()
	if sink.idBytes[0].Value() != nil {
		t.Error("the event's delivery state is still reachable after its acknowledgement while its span is held")
	}
	runtime.KeepAlive(rec)
}
