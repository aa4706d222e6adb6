package exporter_test

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// The route of an HTTP root is http.route, else the route in a span name
// of the conventions' form "{method} {route}" (otelhttp's, which records no
// http.route on its span), else absent.
func TestHTTPRouteFromTheAttributeOrTheSpanName(t *testing.T) {
	tests := []struct {
		name, spanName string
		route          []attribute.KeyValue
		want           string
	}{
		{"http.route", "GET /orders/{id}", []attribute.KeyValue{attribute.String("http.route", "/orders/{id}")}, "/orders/{id}"},
		{"the attribute wins over the name", "GET /x", []attribute.KeyValue{attribute.String("http.route", "/orders/{id}")}, "/orders/{id}"},
		{"otelhttp's span name", "GET /orders/{id}", nil, "/orders/{id}"},
		{"a name without a route", "GET", nil, ""},
		{"a name of another method", "POST /orders", nil, ""},
		{"a name of the user's", "checkout", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := otelrelayertest.New(t)
			attrs := append([]attribute.KeyValue{attribute.String("http.request.method", "GET"), attribute.String("url.path", "/orders/7")}, tt.route...)
			_, span := rec.Tracer().Start(t.Context(), tt.spanName, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
			span.End()
			if got := rec.RequestLogs()[0].Route; got != tt.want {
				t.Errorf("route %q, want %q", got, tt.want)
			}
		})
	}
}
