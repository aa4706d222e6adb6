package exporter_test

import (
	"encoding/json"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Issue 11, point 13: the source is WithSource, else RELAYER_SOURCE, else
// OTEL_SERVICE_NAME, else the service.name of the spans' resource (not the
// SDK's "unknown_service:..." default), else the full logging topic.
func TestSourcePrecedence(t *testing.T) {
	named := resource.NewSchemaless(attribute.String("service.name", "checkout"))
	tests := []struct {
		name string
		env  map[string]string
		opts []exporter.Option
		res  *resource.Resource
		want string
	}{
		{"the resource's service.name", nil, nil, named, "checkout"},
		{"OTEL_SERVICE_NAME over the resource", map[string]string{"OTEL_SERVICE_NAME": "env-name"}, nil, named, "env-name"},
		{"RELAYER_SOURCE over the resource", map[string]string{"RELAYER_SOURCE": "orders"}, nil, named, "orders"},
		{"WithSource over the resource", nil, []exporter.Option{exporter.WithSource("billing")}, named, "billing"},
		{"WithoutEnvironment still reads the resource", map[string]string{"OTEL_SERVICE_NAME": "env-name"}, []exporter.Option{exporter.WithoutEnvironment()}, named, "checkout"},
		{"the SDK's unknown_service default does not count", nil, nil, resource.Default(), "pre.logging"},
		{"a resource without service.name", nil, nil, resource.Empty(), "pre.logging"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"RELAYER_LOGGING_TOPIC", "RELAYER_TOPIC_PREFIX", "RELAYER_TOPIC_SUFFIX", "RELAYER_SOURCE", "OTEL_SERVICE_NAME"} {
				t.Setenv(k, tt.env[k])
			}
			sink := otelrelayertest.NewSink()
			p, err := exporter.New("logging", sink, append([]exporter.Option{exporter.WithoutDefault(), exporter.WithTopicPrefix("pre.")}, tt.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p), sdktrace.WithResource(tt.res))
			defer tp.Shutdown(t.Context())
			ctx, root := tp.Tracer("t").Start(t.Context(), "job")
			if err := bridge.Emit(ctx, "created", "root", 1); err != nil {
				t.Fatal(err)
			}
			root.End()
			var ev struct{ Source string }
			var log struct{ Source string }
			if msgs := sink.Messages("pre.created"); len(msgs) != 1 || json.Unmarshal(msgs[0].Value, &ev) != nil {
				t.Fatalf("events %q", msgs)
			}
			if msgs := sink.Messages("pre.logging"); len(msgs) != 1 || json.Unmarshal(msgs[0].Value, &log) != nil {
				t.Fatalf("request logs %q", msgs)
			}
			if ev.Source != tt.want || log.Source != tt.want || p.Source() != tt.want {
				t.Errorf("event source %q, request log source %q, Source() %q; want %q", ev.Source, log.Source, p.Source(), tt.want)
			}
		})
	}
}
