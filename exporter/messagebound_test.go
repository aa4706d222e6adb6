package exporter_test

import (
	"encoding/json"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// However large its fields are (8 KiB each before escaping, and a quote
// escapes to two bytes), a request log never exceeds WithMaxMessageBytes:
// the fields are shortened and named in truncated_fields first.
func TestARequestLogNeverExceedsTheMaximumMessageSize(t *testing.T) {
	const bound = 16 << 10
	rec := otelrelayertest.New(t, exporter.WithMaxMessageBytes(bound))
	big := strings.Repeat(`"`, 8<<10)
	ctx, span := rec.Tracer().Start(t.Context(), "GET", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
		attribute.String("http.request.method", "GET"),
		attribute.String("url.path", "/"+big),
		attribute.String("url.query", big),
		attribute.String("user_agent.original", big),
		attribute.StringSlice("http.request.header.x-forwarded-for", []string{big}),
		attribute.StringSlice("http.request.header.x-request-id", []string{big}),
	))
	for range 20 {
		if err := bridge.Log(ctx, "info", strings.Repeat("x", 500)); err != nil {
			t.Fatal(err)
		}
	}
	span.End()
	msgs := rec.Messages("logging")
	if len(msgs) != 1 {
		t.Fatalf("%d request logs, want 1", len(msgs))
	}
	if n := len(msgs[0].Value); n > bound {
		t.Fatalf("request log is %d bytes, the bound is %d", n, bound)
	}
	var l wire.RequestLog
	if err := json.Unmarshal(msgs[0].Value, &l); err != nil {
		t.Fatal(err)
	}
	if len(l.TruncatedFields) == 0 || len(l.Lines) == 0 {
		t.Errorf("truncated_fields %v, %d lines: want the fields shortened and named, lines kept", l.TruncatedFields, len(l.Lines))
	}
}
