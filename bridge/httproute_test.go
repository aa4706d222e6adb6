package bridge_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// HTTPHandler over a ServeMux records the matched pattern's path as
// http.route, without its method, whether it started the span or enriches
// another instrumentation's (which leaves http.route off its span); the
// request log's route is that.
func TestHTTPHandlerRecordsTheServeMuxRoute(t *testing.T) {
	for _, outer := range []bool{false, true} {
		name := map[bool]string{false: "own span", true: "under another server span"}[outer]
		t.Run(name, func(t *testing.T) {
			rec := otelrelayertest.New(t)
			mux := http.NewServeMux()
			mux.HandleFunc("GET /orders/{id}", func(http.ResponseWriter, *http.Request) {})
			var h http.Handler = bridge.HTTPHandler(mux, bridge.WithTracerProvider(rec.TracerProvider()))
			if outer {
				inner := h
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					ctx, span := rec.Tracer().Start(r.Context(), "GET", trace.WithSpanKind(trace.SpanKindServer),
						trace.WithAttributes(attribute.String("http.request.method", r.Method)))
					defer span.End()
					inner.ServeHTTP(w, r.WithContext(ctx))
				})
			}
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/orders/7", nil))
			logs := rec.RequestLogs()
			if len(logs) != 1 || logs[0].Route != "/orders/{id}" {
				t.Fatalf("request logs %+v, want one with route /orders/{id}", logs)
			}
		})
	}
}
