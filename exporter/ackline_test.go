package exporter_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// An event handed to the producer is a line of its request even when the
// caller did not wait for its acknowledgement (a consumer's poll context,
// already done), and even when the request ends before the broker answers.
func TestAnEventHandedToTheProducerIsInItsRequestLog(t *testing.T) {
	sink := &pendingSink{Sink: otelrelayertest.NewSink()}
	tp := newTracerProvider(t, sink)
	ctx, span := tp.Tracer("t").Start(t.Context(), "consume")
	done, cancel := context.WithCancel(ctx)
	cancel()
	err := bridge.Emit(done, "orders", "created", 1, bridge.WithAck())
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "may still be delivered") || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("Emit = %v, want context.Canceled saying the event may still be delivered and a retry may duplicate it", err)
	}
	span.End() // before the broker answers
	sink.deliver(nil)
	l := requestLogs(t, sink.Messages("logging"))
	if len(l) != 1 || len(l[0].Lines) != 1 || l[0].DroppedEvents != 0 {
		t.Fatalf("request logs %+v: want the event as the one line, nothing dropped", l)
	}
	if line := l[0].Lines[0]; !line.IsEvent() || !line.Unacknowledged {
		t.Errorf("line %s: want the event, marked unacknowledged", line.Raw)
	}
}
