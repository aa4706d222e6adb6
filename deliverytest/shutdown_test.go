package deliverytest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
)

// TestShutdown emits 1,000 events in ended requests and 20 more in requests
// still open, then shuts the TracerProvider down at once, without a flush:
// Shutdown delivers every event and every request log (those of the open
// requests as they stood), Emit and Log return bridge.ErrShutdown
// afterwards, and none of the goroutines the pipeline started is left.
func TestShutdown(t *testing.T) {
	c := newCluster(t)
	before := goroutines() // the broker's own goroutines are not the pipeline's
	p := newPipeline(t, c.ListenAddrs())
	l := newLedger()
	p.emit(t, l, workload{name: "ended", workers: 4, perWorker: 250})

	const open = 20
	var spans []trace.Span
	var openCtx context.Context
	for range open {
		ctx, span := p.tracer.Start(t.Context(), "open request")
		seq := l.next.Add(1)
		l.record(seq, false, bridge.Emit(ctx, eventType, "delivery", payload{Seq: seq}, bridge.WithPartitionKey("open")))
		spans, openCtx = append(spans, span), ctx
	}
	endedCtx, ended := p.tracer.Start(t.Context(), "ended request")
	seq := l.next.Add(1)
	l.record(seq, false, bridge.Emit(endedCtx, eventType, "delivery", payload{Seq: seq}, bridge.WithPartitionKey("ended")))
	ended.End()

	ctx, cancel := context.WithTimeout(t.Context(), bound)
	defer cancel()
	if err := p.tp.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}

	newCtx, newSpan := p.tracer.Start(t.Context(), "started after Shutdown")
	for name, ctx := range map[string]context.Context{
		"open request": openCtx, "ended request": endedCtx, "span started after Shutdown": newCtx,
	} {
		if err := bridge.Emit(ctx, eventType, "late", payload{Seq: -1}); !errors.Is(err, bridge.ErrShutdown) {
			t.Errorf("%s: Emit after Shutdown: %v, want bridge.ErrShutdown", name, err)
		}
		if err := bridge.Emit(ctx, eventType, "late", payload{Seq: -1}, bridge.WithAck()); !errors.Is(err, bridge.ErrShutdown) {
			t.Errorf("%s: Emit WithAck after Shutdown: %v, want bridge.ErrShutdown", name, err)
		}
		if err := bridge.Log(ctx, "info", "late"); !errors.Is(err, bridge.ErrShutdown) {
			t.Errorf("%s: Log after Shutdown: %v, want bridge.ErrShutdown", name, err)
		}
	}
	newSpan.End()
	for _, s := range spans {
		s.End()
	}

	leaked := leakedSince(before)
	r := account(t, l, p, readAll(t, c.ListenAddrs(), eventType, loggingTopic))
	t.Logf("%d requests open at Shutdown; %d goroutines left; %v", open, len(leaked), r)
	if len(leaked) > 0 {
		t.Errorf("%d goroutines started by the pipeline still run after Shutdown:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
	}
	r.requireExact(t)
}
