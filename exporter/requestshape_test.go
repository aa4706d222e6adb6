package exporter_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Live children do not count against the ended children a request keeps:
// a child that ends among 1,500 live ones still leads its goroutine's next
// line to the request.
func TestAChildEndedAmongManyLiveOnesStaysInItsRequest(t *testing.T) {
	rec := otelrelayertest.New(t)
	tracer := rec.Tracer()
	ctx, root := tracer.Start(t.Context(), "batch")
	live := make([]trace.Span, 1500)
	ctxs := make([]context.Context, len(live))
	for i := range live {
		c, s := tracer.Start(ctx, "item")
		live[i], ctxs[i] = s, c
	}
	live[0].End()
	if err := bridge.Log(ctxs[0], "info", "after my span ended"); err != nil {
		t.Fatal(err)
	}
	for _, s := range live[1:] {
		s.End()
	}
	root.End()
	logs := rec.RequestLogs()
	if len(logs) != 1 || len(logs[0].Lines) != 1 {
		t.Fatalf("%d request logs (want 1, the batch's with the line): %+v", len(logs), logs)
	}
}

func TestAClientKindRootIsLoggedAsAJob(t *testing.T) {
	rec := otelrelayertest.New(t)
	_, span := rec.Tracer().Start(t.Context(), "GET api.example.com", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", "GET"), attribute.String("url.full", "https://api.example.com/x")))
	span.End()
	logs := rec.RequestLogs()
	if len(logs) != 1 || logs[0].Method != "" || logs[0].Service != "GET api.example.com" {
		t.Fatalf("request logs %+v: want a job's fields, service = span name", logs)
	}
}

func TestASkewedClockNeverWritesANegativeDuration(t *testing.T) {
	rec := otelrelayertest.New(t)
	start := time.Now()
	for _, kind := range []trace.SpanKind{trace.SpanKindInternal, trace.SpanKindServer} {
		var attrs []attribute.KeyValue
		if kind == trace.SpanKindServer {
			attrs = append(attrs, attribute.String("http.request.method", "GET"))
		}
		_, span := rec.Tracer().Start(t.Context(), "backdated", trace.WithSpanKind(kind), trace.WithTimestamp(start), trace.WithAttributes(attrs...))
		span.End(trace.WithTimestamp(start.Add(-time.Second)))
	}
	msgs := rec.Messages("logging")
	if len(msgs) != 2 {
		t.Fatalf("%d request logs, want 2", len(msgs))
	}
	for _, m := range msgs {
		var l map[string]any
		if err := json.Unmarshal(m.Value, &l); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"service_time", "request_time"} {
			if v, ok := l[k]; ok && v.(float64) != 0 {
				t.Errorf("%s = %v, want 0", k, v)
			}
		}
	}
}
