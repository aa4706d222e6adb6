package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/examples/internal/demotest"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Every consumed event's request log shares its producer's trace ID and
// holds the follow-up event.
func TestConsumerContinuesEachTrace(t *testing.T) {
	brokers := otelrelayertest.Cluster(t)
	var out bytes.Buffer
	if err := run(t.Context(), brokers, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	logs := demotest.ReadRequestLogs(t, brokers)
	producers := map[string]bool{}
	for _, l := range logs {
		if l.Service == "POST /orders" {
			producers[l.TraceID] = true
		}
	}
	consumers := 0
	for _, l := range logs {
		if l.Service != "process order_created" {
			continue
		}
		consumers++
		if !producers[l.TraceID] {
			t.Errorf("consumer request log %s has no producer with its trace ID", l.TraceID)
		}
		if len(l.Lines) != 2 || l.Lines[1].EventType != "invoice_created" {
			t.Errorf("consumer lines %+v", l.Lines)
		}
	}
	if len(producers) != orders || consumers != orders {
		t.Fatalf("%d producer and %d consumer request logs, want %d each", len(producers), consumers, orders)
	}
	if strings.Count(out.String(), "trace ") != orders {
		t.Errorf("output lists %d traces:\n%s", strings.Count(out.String(), "trace "), out.String())
	}
}
