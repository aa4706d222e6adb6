package exporter_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// tracingHandler traces its own work: for every record it starts a span
// from the record's context (with a tracer provider of its own), then emits
// an event and logs a line with that span.
type tracingHandler struct {
	tp    *sdktrace.TracerProvider
	calls *atomic.Int32
	mu    *sync.Mutex
	// emitErrs holds what Emit returned, logErrs what Log returned.
	emitErrs, logErrs *[]error
}

func (h tracingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h tracingHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.calls.Add(1) > 100 {
		return nil // the loop this test looks for: Emit calls Handle again
	}
	ctx, span := h.tp.Tracer("handler").Start(ctx, "handle "+r.Message)
	defer span.End()
	emitErr := bridge.Emit(ctx, "audit", "log", r.Message)
	logErr := bridge.Log(ctx, "debug", r.Message)
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.emitErrs = append(*h.emitErrs, emitErr)
	*h.logErrs = append(*h.logErrs, logErr)
	return nil
}
func (h tracingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h tracingHandler) WithGroup(string) slog.Handler      { return h }

// A handler that starts a span from the library's own Debug record and
// then calls Emit or Log is refused as one without a span: the record's
// context is still the library's, so nothing it does becomes a message.
func TestOwnDebugLogRefusedWithTheHandlersSpan(t *testing.T) {
	var mu sync.Mutex
	var calls atomic.Int32
	var emitErrs, logErrs []error
	debugEverything(t, tracingHandler{tp: sdktrace.NewTracerProvider(), calls: &calls, mu: &mu, emitErrs: &emitErrs, logErrs: &logErrs})
	producer, err := kafkasink.New(kafkasink.WithBrokers(otelrelayertest.Cluster(t)...), kafkasink.WithoutEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	sink := &teeSink{Sink: producer}
	tp, _ := otelrelayertest.Pipeline(t, sink) // the default pipeline: the handler's spans reach it

	ctx, root := tp.Tracer("t").Start(t.Context(), "job")
	if err := bridge.Emit(ctx, "orders", "created", 1); err != nil {
		t.Fatal(err)
	}
	root.End()
	if err := tp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if n, m := len(sink.messages("audit")), len(sink.messages("logging")); n != 0 || m != 1 {
		t.Errorf("%d audit events and %d request logs, want none and the job's one (%d records reached the handler)", n, m, len(emitErrs))
	}
	if len(emitErrs) == 0 {
		t.Fatal("no record of the library reached the handler")
	}
	for i, err := range emitErrs {
		if !errors.Is(err, bridge.ErrSelfLog) {
			t.Errorf("Emit %d from the library's record: %v, want bridge.ErrSelfLog", i, err)
		}
	}
	for i, err := range logErrs {
		if err != nil {
			t.Errorf("Log %d from the library's record: %v, want nil (ignored)", i, err)
		}
	}
}
