package exporter_test

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// otelhttp's instrumentation scope: its span name is "{method} {route}"
// once a ServeMux matched.
const otelhttpScope = "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

// The route of an HTTP root is http.route, else the route in otelhttp's
// span name of the conventions' form "{method} {route}" (otelhttp records
// no http.route on its span), else absent: another instrumentation's or
// the user's name "GET /orders/7" may hold the path, not a route.
func TestHTTPRouteFromTheAttributeOrTheSpanName(t *testing.T) {
	tests := []struct {
		name, scope, spanName string
		route                 []attribute.KeyValue
		want                  string
	}{
		{"http.route", "", "GET /orders/{id}", []attribute.KeyValue{attribute.String("http.route", "/orders/{id}")}, "/orders/{id}"},
		{"the attribute wins over the name", otelhttpScope, "GET /x", []attribute.KeyValue{attribute.String("http.route", "/orders/{id}")}, "/orders/{id}"},
		{"otelhttp's span name", otelhttpScope, "GET /orders/{id}", nil, "/orders/{id}"},
		{"a name without a route", otelhttpScope, "GET", nil, ""},
		{"a name of another method", otelhttpScope, "POST /orders", nil, ""},
		{"a name of the user's", "", "checkout", nil, ""},
		{"the user's name with the path", "shop", "GET /orders/7", nil, ""},
		{"another instrumentation's name", "github.com/example/router", "GET /orders/{id}", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := otelrelayertest.New(t)
			attrs := append([]attribute.KeyValue{attribute.String("http.request.method", "GET"), attribute.String("url.path", "/orders/7")}, tt.route...)
			_, span := rec.TracerProvider().Tracer(tt.scope).Start(t.Context(), tt.spanName, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
			span.End()
			if got := rec.RequestLogs()[0].Route; got != tt.want {
				t.Errorf("route %q, want %q", got, tt.want)
			}
		})
	}
}
