package propagation_test

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/propagation"
)

func recordingProvider(t *testing.T) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	t.Helper()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, sr
}

func TestStartProcessSpan(t *testing.T) {
	producer := spanContext(t, trace.FlagsSampled, "")
	tests := []struct {
		name      string
		headers   []kgo.RecordHeader
		opts      []propagation.ConsumerOption
		wantTrace bool // same trace ID as the producer
		wantLink  bool
	}{
		{"child of the producer", []kgo.RecordHeader{h("traceparent", traceparent)}, nil, true, false},
		{"new root linked", []kgo.RecordHeader{h("traceparent", traceparent)}, []propagation.ConsumerOption{propagation.AsNewRoot()}, false, true},
		{"missing header", nil, nil, false, false},
		{"malformed header", []kgo.RecordHeader{h("traceparent", "00-zz-yy-01")}, nil, false, false},
		{"malformed header, new root", []kgo.RecordHeader{h("traceparent", "garbage")}, []propagation.ConsumerOption{propagation.AsNewRoot()}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, sr := recordingProvider(t)
			r := &kgo.Record{Topic: "orders", Partition: 3, Offset: 42, Key: []byte("order-1"), Headers: tt.headers}
			opts := append([]propagation.ConsumerOption{propagation.WithTracerProvider(tp), propagation.WithConsumerGroup("billing")}, tt.opts...)
			// A span already in ctx must not become the parent.
			ctx, unrelated := tp.Tracer("t").Start(t.Context(), "poll loop")
			_, span := propagation.StartProcessSpan(ctx, r, opts...)
			span.End()
			unrelated.End()

			s := sr.Ended()[0]
			if s.Name() != "process orders" || s.SpanKind() != trace.SpanKindConsumer {
				t.Errorf("span %q kind %v", s.Name(), s.SpanKind())
			}
			if got := s.SpanContext().TraceID() == producer.TraceID(); got != tt.wantTrace {
				t.Errorf("shares the producer's trace ID: %v, want %v", got, tt.wantTrace)
			}
			if s.SpanContext().TraceID() == unrelated.SpanContext().TraceID() {
				t.Error("the span in ctx became the parent")
			}
			if tt.wantTrace && (!s.Parent().IsRemote() || s.Parent().SpanID() != producer.SpanID()) {
				t.Errorf("parent %v, want the producer's remote span", s.Parent())
			}
			if got := len(s.Links()) == 1 && s.Links()[0].SpanContext.Equal(producer.WithRemote(true)); got != tt.wantLink {
				t.Errorf("links %v, want link to the producer: %v", s.Links(), tt.wantLink)
			}
			want := map[attribute.Key]attribute.Value{
				"messaging.system":                   attribute.StringValue("kafka"),
				"messaging.destination.name":         attribute.StringValue("orders"),
				"messaging.destination.partition.id": attribute.StringValue("3"),
				"messaging.kafka.message.key":        attribute.StringValue("order-1"),
				"messaging.kafka.offset":             attribute.Int64Value(42),
				"messaging.consumer.group.name":      attribute.StringValue("billing"),
				"messaging.operation.type":           attribute.StringValue("process"),
			}
			got := map[attribute.Key]attribute.Value{}
			for _, kv := range s.Attributes() {
				got[kv.Key] = kv.Value
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k].String(), v.String())
				}
			}
		})
	}
}

// The processing of a consumed event is a request of its own, whose log
// shares the producer's trace ID.
func TestConsumedMessageGetsItsOwnRequestLog(t *testing.T) {
	producer := otelrelayertest.New(t)
	pctx, pspan := producer.Tracer().Start(t.Context(), "POST /orders")
	if err := bridge.Emit(pctx, "order_created", "web", map[string]any{"id": 1}); err != nil {
		t.Fatal(err)
	}
	pspan.End()
	msg := producer.Messages("order_created")[0]

	consumer := otelrelayertest.New(t)
	r := &kgo.Record{Topic: msg.Topic, Key: msg.Key, Value: msg.Value, Headers: msg.Headers}
	ctx, span := propagation.StartProcessSpan(t.Context(), r, propagation.WithTracerProvider(consumer.TracerProvider()))
	if err := bridge.Log(ctx, "info", "billed"); err != nil {
		t.Fatal(err)
	}
	span.End()

	logs := consumer.RequestLogs()
	want := pspan.SpanContext().TraceID().String()
	if len(logs) != 1 || logs[0].TraceID != want || logs[0].Service != "process order_created" || len(logs[0].Lines) != 1 {
		t.Fatalf("consumer request logs %+v, want one with trace ID %s", logs, want)
	}
}

func TestANilContextMeansBackground(t *testing.T) {
	tp, _ := recordingProvider(t)
	for _, tc := range []struct {
		name    string
		headers []kgo.RecordHeader
	}{
		{"with trace headers", []kgo.RecordHeader{h("traceparent", traceparent)}},
		{"without", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &kgo.Record{Topic: "orders", Headers: tc.headers}
			//lint:ignore SA1012 a nil context is what is tested
			ctx, span := propagation.StartProcessSpan(nil, r, propagation.WithTracerProvider(tp))
			defer span.End()
			if ctx == nil || !span.SpanContext().IsValid() {
				t.Fatalf("StartProcessSpan(nil, …) = %v, %v", ctx, span.SpanContext())
			}
			//lint:ignore SA1012 a nil context is what is tested
			if got := propagation.Extract(nil, r); got == nil {
				t.Fatal("Extract(nil, …) returned nil")
			}
			//lint:ignore SA1012 a nil context is what is tested
			propagation.Inject(nil, &kgo.Record{})
		})
	}
}
