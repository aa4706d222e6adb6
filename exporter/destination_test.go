package exporter_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// recordingWriter records the messages an EventWriter receives, or fails.
type recordingWriter struct {
	mu   sync.Mutex
	msgs []kafkasink.Message
	err  error
}

func (w *recordingWriter) WriteEvent(_ context.Context, m kafkasink.Message) error {
	if w.err != nil {
		return w.err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	hs := append([]kafkasink.Header(nil), m.Headers...)
	for i := range hs {
		hs[i].Value = append([]byte(nil), hs[i].Value...)
	}
	w.msgs = append(w.msgs, kafkasink.Message{Topic: m.Topic, Key: append([]byte(nil), m.Key...), Value: append([]byte(nil), m.Value...), Headers: hs})
	return nil
}

// An EventWriter in the context takes Emit's message, as it would have been
// produced, in place of the sink; the request log marks the line "outbox";
// EmitRaw lines stay untouched; Log is not affected.
func TestEventWriterInContextTakesTheEventInsteadOfTheSink(t *testing.T) {
	rec := otelrelayertest.New(t)
	w := &recordingWriter{}
	ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
	wctx := exporter.ContextWithEventWriter(ctx, w)
	if err := bridge.Emit(wctx, "order_created", "v1", map[string]int{"id": 1}, bridge.WithPartitionKey("k1"), bridge.WithAck()); err != nil {
		t.Fatal(err)
	}
	if err := bridge.EmitRaw(wctx, "raw_topic", map[string]int{"n": 2}); err != nil {
		t.Fatal(err)
	}
	if err := bridge.Log(wctx, "info", "written"); err != nil {
		t.Fatal(err)
	}
	span.End()

	if n := len(rec.Messages("order_created")) + len(rec.Messages("raw_topic")); n != 0 {
		t.Errorf("%d event messages reached the sink", n)
	}
	if len(w.msgs) != 2 {
		t.Fatalf("the writer received %d messages, want 2", len(w.msgs))
	}
	m := w.msgs[0]
	if m.Topic != "order_created" || string(m.Key) != "k1" || !strings.Contains(string(m.Value), `"payload":{"id":1}`) {
		t.Errorf("message %s %q %s", m.Topic, m.Key, m.Value)
	}
	var id, traceparent string
	for _, h := range m.Headers {
		switch h.Key {
		case wire.EventIDHeader:
			id = string(h.Value)
		case wire.TraceparentHeader:
			traceparent = string(h.Value)
		}
	}
	if !strings.Contains(traceparent, span.SpanContext().SpanID().String()) || id == "" {
		t.Errorf("headers %v: want the span's traceparent and an event ID", m.Headers)
	}
	logs := rec.RequestLogs()
	if len(logs) != 1 || len(logs[0].Lines) != 3 {
		t.Fatalf("request logs %+v", logs)
	}
	lines := logs[0].Lines
	if !lines[0].Outbox || lines[0].EventID != id {
		t.Errorf("event line %s: want outbox true and event ID %s", lines[0].Raw, id)
	}
	if string(lines[1].Raw) != `{"n":2}` {
		t.Errorf("EmitRaw line %s, want it untouched", lines[1].Raw)
	}
	if lines[2].LogLevel != "info" {
		t.Errorf("log line %s", lines[2].Raw)
	}
}

// The writer's error is Emit's, wrapped; nothing is produced instead and
// the request log holds no line for the event.
func TestEventWriterErrorFailsEmitWithoutProducing(t *testing.T) {
	rec := otelrelayertest.New(t)
	cause := errors.New("insert refused")
	ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
	err := bridge.Emit(exporter.ContextWithEventWriter(ctx, &recordingWriter{err: cause}), "order_created", "v1", 1)
	span.End()
	if !errors.Is(err, cause) || !errors.Is(err, exporter.ErrEventWriter) || !strings.Contains(err.Error(), "order_created") {
		t.Fatalf("Emit: %v, want the writer's error wrapped, naming the topic", err)
	}
	if n := len(rec.Messages("order_created")); n != 0 {
		t.Errorf("%d messages produced after the writer failed", n)
	}
	if logs := rec.RequestLogs(); len(logs) != 1 || len(logs[0].Lines) != 0 {
		t.Errorf("request logs %+v, want one without lines", logs)
	}
}

func TestContextWithNilEventWriterIsUnchanged(t *testing.T) {
	ctx := t.Context()
	if got := exporter.ContextWithEventWriter(ctx, nil); got != ctx || exporter.EventWriterFromContext(got) != nil {
		t.Errorf("a nil writer changed the context")
	}
}
