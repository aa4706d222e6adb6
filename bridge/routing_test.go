package bridge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

func TestRouting(t *testing.T) {
	first := otelrelayertest.Patch(t)
	second := otelrelayertest.Patch(t)
	a := otelrelayertest.New(t)
	ctxA, spanA := a.Tracer().Start(t.Context(), "a")
	defer spanA.End()
	ctxFirst, spanFirst := first.Tracer().Start(t.Context(), "first")
	defer spanFirst.End()
	recorders := map[string]*otelrelayertest.Recorder{"first": first, "second": second, "a": a}

	steps := []struct {
		name   string
		before func()
		ctx    context.Context
		want   string // key of recorders; "": ErrNotInstalled
	}{
		{"a span of A reaches A, not the default", nil, ctxA, "a"},
		{"no span reaches the default registered last", nil, t.Context(), "second"},
		{"a span of an older default's provider reaches it", nil, ctxFirst, "first"},
		{"Unregister restores the previous default", func() { bridge.Unregister(second.Processor()) }, t.Context(), "first"},
		{"a span of A still reaches A", nil, ctxA, "a"},
		{"without defaults, no span is ErrNotInstalled", func() { bridge.Unregister(first.Processor()) }, t.Context(), ""},
		{"without defaults, a span of A reaches A", nil, ctxA, "a"},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before()
			}
			topic := "route-" + string(rune('a'+i))
			err := bridge.Emit(st.ctx, topic, "test", i)
			if st.want == "" {
				if !errors.Is(err, bridge.ErrNotInstalled) {
					t.Fatalf("err = %v, want ErrNotInstalled", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			for name, rec := range recorders {
				want := 0
				if name == st.want {
					want = 1
				}
				if n := len(rec.Messages(topic)); n != want {
					t.Errorf("%s got %d messages, want %d", name, n, want)
				}
			}
		})
	}
}

type sliceProvider struct {
	noop.TracerProvider
	_ []string // makes the type non-comparable
}

type mapProvider struct {
	noop.TracerProvider
	_ map[string]trace.Tracer // makes the type non-comparable
}

// providerSpan is a span of tp.
type providerSpan struct {
	noop.Span
	tp trace.TracerProvider
}

func (s providerSpan) TracerProvider() trace.TracerProvider { return s.tp }

func TestBind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		tp       trace.TracerProvider
		mentions string // "": Bind accepts tp
	}{
		{"nil", nil, "<nil>"},
		{"struct holding a slice", sliceProvider{}, "bridge_test.sliceProvider"},
		{"struct holding a map", mapProvider{}, "bridge_test.mapProvider"},
		{"pointer to a struct holding a slice", &sliceProvider{}, ""},
		{"SDK provider", sdktrace.NewTracerProvider(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := otelrelayertest.New(t)
			err := bridge.Bind(tt.tp, rec.Processor())
			if tt.mentions != "" {
				if err == nil || !strings.Contains(err.Error(), tt.mentions) {
					t.Fatalf("Bind = %v, want an error naming %s", err, tt.mentions)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ctx := trace.ContextWithSpan(t.Context(), providerSpan{tp: tt.tp})
			if err := bridge.Emit(ctx, "orders", "created", 1); err != nil {
				t.Fatal(err)
			}
			if n := len(rec.Messages("orders")); n != 1 {
				t.Fatalf("got %d messages through the binding, want 1", n)
			}
		})
	}
}

func TestEmitRawWritesTheMessageUntouched(t *testing.T) {
	t.Parallel()
	type audit struct {
		User string `json:"user"`
		N    int    `json:"n,omitempty"`
	}
	tests := []struct {
		name    string
		message any
		want    string
	}{
		{"map", map[string]any{"b": []any{true, nil}, "a": 1.5}, `{"a":1.5,"b":[true,null]}`},
		{"struct", audit{User: "ann"}, `{"user":"ann"}`},
		{"string", "plain", `"plain"`},
		{"nil", nil, `null`},
		{"raw JSON is compacted, as encoding/json does", json.RawMessage(`{ "kept" : [1, 2] }`), `{"kept":[1,2]}`},
		{"raw JSON keeps what encoding/json would escape", json.RawMessage(`{"html":"<b>&amp;"}`), `{"html":"<b>&amp;"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := otelrelayertest.New(t, exporter.WithTopicPrefix("pre-"), exporter.WithTopicSuffix("-suf"))
			ctx, span := rec.Tracer().Start(t.Context(), "request")
			if err := bridge.EmitRaw(ctx, "audit", tt.message); err != nil {
				t.Fatal(err)
			}
			span.End()
			if topics := rec.Topics(); len(topics) != 2 || topics[0] != "pre-audit-suf" {
				t.Fatalf("topics %v, want pre-audit-suf then the logging topic", topics)
			}
			msgs := rec.Messages("pre-audit-suf")
			if len(msgs) != 1 || string(msgs[0].Value) != tt.want {
				t.Fatalf("messages %q, want one of %s", msgs, tt.want)
			}
			// The request log holds the message as written. (Read as bytes:
			// wire.Line only decodes objects.)
			logs := rec.Messages(rec.Processor().LoggingTopic())
			if len(logs) != 1 || !bytes.Contains(logs[0].Value, []byte(`"lines":[`+tt.want+`],`)) {
				t.Errorf("request logs %q, want one holding %s as its only line", logs, tt.want)
			}
		})
	}
}

// opsPerSpan keeps each benchmark span below the SDK's 128 events, so every
// operation does the work of a live request; spans are renewed with the
// timer stopped.
const opsPerSpan = 100

func TestNilPipelinesAreRefused(t *testing.T) {
	bridge.Register(nil) // a no-op: must not become the default
	if err := bridge.Emit(t.Context(), "orders", "x", 1); !errors.Is(err, bridge.ErrNotInstalled) {
		t.Fatalf("Emit after Register(nil) = %v, want ErrNotInstalled", err)
	}
	tp := sdktrace.NewTracerProvider()
	if err := bridge.Bind(tp, nil); err == nil || !strings.Contains(err.Error(), "nil pipeline") {
		t.Fatalf("Bind(tp, nil) = %v, want an error naming the nil pipeline", err)
	}
}

// A nil context is a background context, as OpenTelemetry treats it.
func TestNilContext(t *testing.T) {
	rec := otelrelayertest.Patch(t)
	//lint:ignore SA1012 a nil context is the point of the test
	if err := bridge.Emit(nil, "orders", "created", 1, bridge.WithAck()); err != nil { //nolint:staticcheck
		t.Fatal(err)
	}
	//lint:ignore SA1012 a nil context is the point of the test
	if err := bridge.Log(nil, "info", "x"); err != nil { //nolint:staticcheck
		t.Fatal(err)
	}
	if len(rec.Messages("orders")) != 1 || len(rec.RequestLogs()) != 1 {
		t.Fatalf("topics %v", rec.Topics())
	}
}
