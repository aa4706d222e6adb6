package exporter_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

func TestRequestsThatNeverEndAreEvicted(t *testing.T) {
	sink := otelrelayertest.NewSink()
	var mu sync.Mutex
	var handled []error
	tp := newTracerProvider(t, sink, exporter.WithMaxRequestAge(20*time.Millisecond), exporter.WithErrorHandler(func(err error) {
		mu.Lock()
		handled = append(handled, err)
		mu.Unlock()
	}))
	ctx, leaked := tp.Tracer("t").Start(t.Context(), "leaky")
	if err := bridge.Log(ctx, "info", "before eviction"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second) // an upper bound, not a measure
	for len(sink.Messages("logging")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the open request was not evicted")
		}
		time.Sleep(5 * time.Millisecond)
	}
	logs := requestLogs(t, sink.Messages("logging"))
	if len(logs) != 1 || !logs[0].Evicted || logs[0].Service != "leaky" || len(logs[0].Lines) != 1 {
		t.Fatalf("evicted request log: %+v", logs)
	}
	mu.Lock()
	if len(handled) != 1 || !strings.Contains(handled[0].Error(), "evicted 1 requests") {
		t.Errorf("error handler got %v", handled)
	}
	mu.Unlock()

	// Ending the evicted span later writes nothing more; a later line is a
	// request log of its own, never lost.
	if err := bridge.Log(ctx, "info", "after eviction"); err != nil {
		t.Fatal(err)
	}
	leaked.End()
	logs = requestLogs(t, sink.Messages("logging"))
	if len(logs) != 2 || logs[1].Evicted || len(logs[1].Lines) != 1 {
		t.Fatalf("after eviction: %+v", logs)
	}
}

func TestEvictionKeepsLiveRequests(t *testing.T) {
	sink := otelrelayertest.NewSink()
	tp := newTracerProvider(t, sink, exporter.WithMaxRequestAge(time.Hour))
	ctx, span := tp.Tracer("t").Start(t.Context(), "slow but fine")
	_ = bridge.Log(ctx, "info", "x")
	span.End()
	if logs := requestLogs(t, sink.Messages("logging")); len(logs) != 1 || logs[0].Evicted {
		t.Fatalf("request logs: %+v", logs)
	}
}
