package exporter_test

import (
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

func TestAttributeBoundsCountWhatIsLeftOut(t *testing.T) {
	t.Run("count", func(t *testing.T) {
		rec := otelrelayertest.New(t, exporter.WithMaxAttributes(3))
		ctx, root := rec.Tracer().Start(t.Context(), "job", trace.WithAttributes(
			attribute.Int("root.a", 1), attribute.Int("root.b", 2), attribute.Int("root.c", 3)))
		// Four keys set: the fourth is beyond the bound when set; the
		// three set ones come before the root's.
		for _, k := range []string{"set.a", "set.b", "set.c", "set.d"} {
			if err := bridge.SetAttributes(ctx, attribute.Int(k, 1)); err != nil {
				t.Fatal(err)
			}
		}
		if err := bridge.SetAttributes(ctx, attribute.Int("set.a", 9)); err != nil { // an update is no new key
			t.Fatal(err)
		}
		root.End()
		equalAttributes(t, rawAttributes(t, rec), map[string]string{"set.a": `9`, "set.b": `1`, "set.c": `1`})
		if d := rec.RequestLogs()[0].DroppedAttributes; d != 4 {
			t.Errorf("dropped_attributes = %d, want 4 (set.d and the root's three)", d)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		rec := otelrelayertest.New(t, exporter.WithMaxAttributeBytes(100))
		_, root := rec.Tracer().Start(t.Context(), "job", trace.WithAttributes(
			attribute.String("a", "small"), attribute.String("big", strings.Repeat("x", 200)), attribute.String("b", "fits after")))
		root.End()
		equalAttributes(t, rawAttributes(t, rec), map[string]string{"a": `"small"`, "b": `"fits after"`})
		raw := string(rec.Messages("logging")[0].Value)
		i := strings.Index(raw, `"attributes":`)
		obj := raw[i+len(`"attributes":`) : strings.Index(raw[i:], "}")+i+1]
		if len(`,"attributes":`)+len(obj) > 100 {
			t.Errorf("attributes take %d bytes, more than 100: %s", len(obj), obj)
		}
		if d := rec.RequestLogs()[0].DroppedAttributes; d != 1 {
			t.Errorf("dropped_attributes = %d, want 1", d)
		}
	})
}

// The message bound holds with attributes: at the smallest bound, huge
// fields and attributes at their own bound, the request log fits, its
// fields shortened (truncated_fields) and its attributes left out and
// counted when the fields cannot shrink more.
func TestMessageBoundHoldsWithAttributes(t *testing.T) {
	const maxBytes = 16 << 10
	rec := otelrelayertest.New(t, exporter.WithMaxMessageBytes(maxBytes))
	huge := strings.Repeat("\x01", 8<<10) // escapes to 6 bytes a byte
	attrs := []attribute.KeyValue{
		attribute.String("http.request.method", huge), attribute.String("url.path", huge),
		attribute.String("user_agent.original", huge), attribute.String("http.route", huge),
	}
	for i := range 40 {
		attrs = append(attrs, attribute.String("app.k"+strings.Repeat("k", i), strings.Repeat("v", 200)))
	}
	ctx, root := rec.Tracer().Start(t.Context(), "big", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
	for range 100 {
		_ = bridge.Log(ctx, "info", strings.Repeat("l", 500))
	}
	root.End()
	m := rec.Messages("logging")[0]
	if len(m.Value) > maxBytes {
		t.Fatalf("request log is %d bytes, the bound is %d", len(m.Value), maxBytes)
	}
	l := rec.RequestLogs()[0]
	if len(l.TruncatedFields) == 0 || l.DroppedAttributes == 0 || len(l.Attributes)+l.DroppedAttributes != 40 {
		t.Errorf("truncated_fields %v, %d attributes written, %d dropped (of 40)", l.TruncatedFields, len(l.Attributes), l.DroppedAttributes)
	}
}
