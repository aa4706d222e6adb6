package exporter_test

import (
	"strings"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

func TestRequestsThatNeverEndAreEvicted(t *testing.T) {
	sink := otelrelayertest.NewSink()
	// The janitor writes the request log, then calls the handler: waiting
	// for the handler (what is asserted last) is waiting for both.
	handled := make(chan error, 16)
	tp := newTracerProvider(t, sink, exporter.WithMaxRequestAge(20*time.Millisecond), exporter.WithErrorHandler(func(err error) {
		handled <- err
	}))
	ctx, leaked := tp.Tracer("t").Start(t.Context(), "leaky")
	if err := bridge.Log(ctx, "info", "before eviction"); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-handled:
	case <-time.After(5 * time.Second): // an upper bound, not a measure
		t.Fatal("the open request was not evicted")
	}
	if !strings.Contains(err.Error(), "evicted 1 requests") {
		t.Errorf("error handler got %v", err)
	}
	logs := requestLogs(t, sink.Messages("logging"))
	if len(logs) != 1 || !logs[0].Evicted || logs[0].Service != "leaky" || len(logs[0].Lines) != 1 {
		t.Fatalf("evicted request log: %+v", logs)
	}

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
