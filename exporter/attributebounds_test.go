package exporter_test

import (
	"runtime"
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

// An attribute far beyond the byte bound (a slice of a million elements, a
// key of megabytes) costs about the bound to leave out when the root ends,
// not its whole encoding: OnEnd runs on the caller's goroutine.
func TestAnAttributeBeyondTheBoundIsNotEncodedWhole(t *testing.T) {
	huge := make([]string, 1_000_000)
	for i := range huge {
		huge[i] = "x"
	}
	tests := []struct {
		name string
		kv   attribute.KeyValue
		read uint64 // what reading the value costs: OpenTelemetry copies a slice out of its value
	}{
		{"a slice of a million elements", attribute.StringSlice("app.skus", huge), 16 * uint64(len(huge))},
		{"a string of 4 MiB", attribute.String("app.note", strings.Repeat("\x01", 4<<20)), 0},
		{"a key of 4 MiB", attribute.Int(strings.Repeat("k", 4<<20), 1), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := otelrelayertest.New(t)
			ctx, root := rec.Tracer().Start(t.Context(), "job", trace.WithAttributes(tt.kv))
			if err := bridge.SetAttributes(ctx, tt.kv, attribute.String("app.ok", "yes")); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			root.End()
			runtime.ReadMemStats(&after)
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20+tt.read {
				t.Errorf("ending the root allocated %d bytes for an attribute the bound leaves out (reading it costs %d)", n, tt.read)
			}
			l := rec.RequestLogs()[0]
			if l.DroppedAttributes != 1 || len(l.Attributes) != 1 { // the root's is the set one's key
				t.Errorf("attributes %v, dropped %d; want app.ok and 1 dropped", l.Attributes, l.DroppedAttributes)
			}
		})
	}
}
