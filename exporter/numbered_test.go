package exporter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/wire"
)

// numberedRequests runs goroutines×each requests on tracer, each its own
// root span "request N" with one event {"n":N,"pad":…} (pad of N%padMod
// bytes, so that events come in every size) and one line N.
func numberedRequests(t *testing.T, tracer trace.Tracer, goroutines, each, padMod int) {
	t.Helper()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				n := g*each + i
				ctx, span := tracer.Start(context.Background(), fmt.Sprintf("request %d", n))
				if err := bridge.Emit(ctx, "order_created", "ok", map[string]any{"n": n, "pad": strings.Repeat("x", n%padMod)}); err != nil {
					t.Error(err)
				}
				if err := bridge.Log(ctx, "info", n); err != nil {
					t.Error(err)
				}
				span.End()
			}
		})
	}
	wg.Wait()
}

// checkNumberedRequests checks what numberedRequests wrote: total events
// with distinct IDs (their values and headers as produced, events) and
// total request logs (logs), each holding its own request's event (payload
// and ID of a produced event) and line.
func checkNumberedRequests(t *testing.T, events, logs []kafkasink.Message, total, padMod int) {
	t.Helper()
	byID := map[string]string{} // event payloads by event ID
	for _, m := range events {
		var e wire.Event
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatalf("event %q: %v", m.Value, err)
		}
		for _, h := range m.Headers {
			if h.Key == wire.EventIDHeader {
				byID[string(h.Value)] = string(e.Payload)
			}
		}
	}
	if len(byID) != total || len(logs) != total {
		t.Fatalf("%d events with distinct IDs and %d request logs, want %d each", len(byID), len(logs), total)
	}
	for _, l := range requestLogs(t, logs) {
		var n int
		if _, err := fmt.Sscanf(l.Service, "request %d", &n); err != nil || len(l.Lines) != 2 {
			t.Fatalf("request log %+v", l)
		}
		want := fmt.Sprintf(`{"n":%d,"pad":"%s"}`, n, strings.Repeat("x", n%padMod))
		if ev := l.Lines[0]; string(ev.Payload) != want || byID[ev.EventID] != want {
			t.Fatalf("request %d: event line %s (ID %s), the produced event with that ID %s; want %s", n, ev.Payload, ev.EventID, byID[ev.EventID], want)
		}
		if string(l.Lines[1].Payload) != fmt.Sprint(n) {
			t.Fatalf("request %d: log line %s", n, l.Lines[1].Payload)
		}
	}
}
