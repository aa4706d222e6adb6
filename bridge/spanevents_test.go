package bridge_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

func TestSpanEvents(t *testing.T) {
	t.Parallel()
	rec := otelrelayertest.New(t, exporter.WithTopicPrefix("pre."), exporter.WithTopicSuffix(".suf"))
	spans := tracetest.NewSpanRecorder()
	rec.TracerProvider().RegisterSpanProcessor(spans)
	ctx, root := rec.Tracer().Start(t.Context(), "request")
	childCtx, child := rec.Tracer().Start(ctx, "child")
	if err := bridge.Emit(ctx, "orders", "created", map[string]any{"id": 10}); err != nil {
		t.Fatal(err)
	}
	if err := bridge.EmitRaw(ctx, "audit", map[string]any{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if err := bridge.Log(ctx, "warning", "careful"); err != nil {
		t.Fatal(err)
	}
	if err := bridge.Emit(childCtx, "orders", "child", 2); err != nil {
		t.Fatal(err)
	}
	child.End()
	root.End()

	orders, audit := rec.Messages("pre.orders.suf"), rec.Messages("pre.audit.suf")
	if len(orders) != 2 || len(audit) != 1 {
		t.Fatalf("got %d messages on pre.orders.suf and %d on pre.audit.suf, want 2 and 1 (topics %v)", len(orders), len(audit), rec.Topics())
	}
	type event struct {
		name  string
		attrs map[attribute.Key]string
	}
	tests := []struct {
		name string
		span trace.Span
		want []event
	}{
		{"active span", root, []event{
			{bridge.EmitEventName, map[attribute.Key]string{
				bridge.EventTypeKey: "orders", bridge.EventSubtypeKey: "created", bridge.TopicKey: "pre.orders.suf",
				bridge.EventIDKey: header(orders[0].Headers, wire.EventIDHeader),
			}},
			{bridge.EmitEventName, map[attribute.Key]string{
				bridge.TopicKey: "pre.audit.suf", bridge.EventIDKey: header(audit[0].Headers, wire.EventIDHeader),
			}},
			{bridge.LogEventName, map[attribute.Key]string{bridge.LevelKey: "warning"}},
		}},
		{"child span", child, []event{
			{bridge.EmitEventName, map[attribute.Key]string{
				bridge.EventTypeKey: "orders", bridge.EventSubtypeKey: "child", bridge.TopicKey: "pre.orders.suf",
				bridge.EventIDKey: header(orders[1].Headers, wire.EventIDHeader),
			}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s sdktrace.ReadOnlySpan
			for _, e := range spans.Ended() {
				if e.SpanContext().Equal(tt.span.SpanContext()) {
					s = e
				}
			}
			if s == nil {
				t.Fatal("span did not end")
			}
			evs := s.Events()
			if len(evs) != len(tt.want) {
				t.Fatalf("got %d events %v, want %d", len(evs), evs, len(tt.want))
			}
			for i, want := range tt.want {
				got := map[attribute.Key]string{}
				for _, kv := range evs[i].Attributes {
					got[kv.Key] = kv.Value.String()
				}
				if evs[i].Name != want.name || len(got) != len(want.attrs) {
					t.Errorf("event %d = %s %v, want %s %v", i, evs[i].Name, got, want.name, want.attrs)
					continue
				}
				for k, v := range want.attrs {
					if got[k] != v || v == "" {
						t.Errorf("event %d: %s = %q, want %q", i, k, got[k], v)
					}
				}
			}
		})
	}

	// The span event and the message carry the same time.
	var first wire.Event
	if err := json.Unmarshal(orders[0].Value, &first); err != nil {
		t.Fatal(err)
	}
	evTime := spans.Ended()[1].Events()[0].Time
	if !evTime.Truncate(time.Microsecond).Equal(first.Timestamp.Time) {
		t.Errorf("span event at %v, event timestamp %v", evTime, first.Timestamp.Time)
	}
}

// TestEventsDoNotDependOnSampling emits on a span that is not recording, as
// with a sampler that drops the trace and no sdktrace.AlwaysRecord. It uses
// Patch, so it does not run in parallel.
func TestEventsDoNotDependOnSampling(t *testing.T) {
	tests := []struct {
		name string
		rec  func(t *testing.T, unsampled *sdktrace.TracerProvider) *otelrelayertest.Recorder
	}{
		{"default pipeline", func(t *testing.T, _ *sdktrace.TracerProvider) *otelrelayertest.Recorder {
			return otelrelayertest.Patch(t)
		}},
		{"pipeline bound to the provider", func(t *testing.T, unsampled *sdktrace.TracerProvider) *otelrelayertest.Recorder {
			rec := otelrelayertest.New(t)
			if err := bridge.Bind(unsampled, rec.Processor()); err != nil {
				t.Fatal(err)
			}
			return rec
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unsampled := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
			t.Cleanup(func() { _ = unsampled.Shutdown(context.Background()) })
			rec := tt.rec(t, unsampled)
			ctx, span := unsampled.Tracer("test").Start(t.Context(), "request")
			defer span.End()
			if span.IsRecording() {
				t.Fatal("span is recording")
			}
			if err := bridge.Emit(ctx, "orders", "created", 1); err != nil {
				t.Fatal(err)
			}
			if err := bridge.Log(ctx, "info", "no request owns this line"); err != nil {
				t.Fatal(err)
			}
			msgs := rec.Messages("orders")
			if len(msgs) != 1 {
				t.Fatalf("got %d events, want 1 (topics %v)", len(msgs), rec.Topics())
			}
			if tp := header(msgs[0].Headers, "traceparent"); !strings.HasPrefix(tp, "00-"+span.SpanContext().TraceID().String()) || !strings.HasSuffix(tp, "-00") {
				t.Errorf("traceparent %q, want the unsampled span's", tp)
			}
			// Outside a recorded request, Log writes its line at once.
			if logs := rec.RequestLogs(); len(logs) != 1 || len(logs[0].Lines) != 1 || logs[0].Lines[0].LogLevel != "info" {
				t.Errorf("request logs %+v, want one holding the info line", logs)
			}
		})
	}
}

// TestRouting changes the default pipeline, so it does not run in parallel.
