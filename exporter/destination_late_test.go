package exporter_test

import (
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// An event written to an EventWriter after its request ended is a line of
// a late message, marked outbox, as an event produced after the end is:
// its line is not lost.
func TestEventWriterEventAfterItsRequestEndedIsALateLine(t *testing.T) {
	rec := otelrelayertest.New(t)
	w := &recordingWriter{}
	ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
	span.End()
	if err := bridge.Emit(exporter.ContextWithEventWriter(ctx, w), "order_created", "v1", 1); err != nil {
		t.Fatal(err)
	}
	if len(w.msgs) != 1 {
		t.Fatalf("writer got %d messages, want 1", len(w.msgs))
	}
	logs := rec.RequestLogs()
	if len(logs) != 2 || !logs[1].Late || len(logs[1].Lines) != 1 || !logs[1].Lines[0].Outbox || !logs[1].Lines[0].IsEvent() {
		t.Fatalf("request logs %+v: want the request's, then a late one with the outbox event", logs)
	}
}
