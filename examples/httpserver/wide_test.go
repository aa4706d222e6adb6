package main

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// TestWideRequestLogWithOtelhttp serves a ServeMux under real otelhttp,
// alone and over bridge.HTTPHandler: the request log carries the route of
// the matched pattern, the attributes the handler set on the root span,
// and the fields set with bridge.SetAttributes from a child span and from
// another goroutine, with the library's defaults.
func TestWideRequestLogWithOtelhttp(t *testing.T) {
	for _, withBridge := range []bool{false, true} {
		t.Run(map[bool]string{false: "otelhttp alone", true: "otelhttp over bridge.HTTPHandler"}[withBridge], func(t *testing.T) {
			rec := otelrelayertest.New(t)
			mux := http.NewServeMux()
			mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
				ctx := r.Context()
				trace.SpanFromContext(ctx).SetAttributes(attribute.String("enduser.id", "42"))
				cctx, child := rec.Tracer().Start(ctx, "load order")
				if err := bridge.SetAttributes(cctx, attribute.String("app.tenant", "acme")); err != nil {
					t.Error(err)
				}
				var wg sync.WaitGroup
				wg.Go(func() {
					if err := bridge.SetAttributes(cctx, attribute.Int("app.cart.items", 3)); err != nil {
						t.Error(err)
					}
				})
				wg.Wait()
				child.End()
				_, _ = w.Write([]byte("order " + r.PathValue("id")))
			})
			var h http.Handler = mux
			if withBridge {
				h = bridge.HTTPHandler(mux, bridge.WithTracerProvider(rec.TracerProvider()))
			}
			srv := httptest.NewServer(otelhttp.NewHandler(h, "api", otelhttp.WithTracerProvider(rec.TracerProvider())))
			resp, err := srv.Client().Get(srv.URL + "/orders/7")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			srv.Close()

			logs := rec.RequestLogs()
			if len(logs) != 1 {
				t.Fatalf("%d request logs, want 1", len(logs))
			}
			l := logs[0]
			if l.Route != "/orders/{id}" || l.Path != "/orders/7" || l.Method != "GET" || l.Status != http.StatusOK {
				t.Errorf("route %q path %q method %q status %d", l.Route, l.Path, l.Method, l.Status)
			}
			for key, want := range map[string]string{"enduser.id": "42", "app.tenant": "acme", "app.cart.items": "3"} {
				if got, ok := l.Attribute(key); !ok || got != want {
					t.Errorf("attribute %s = %q (%v), want %q; attributes %v", key, got, ok, want, l.Attributes)
				}
			}
			// What is a field is not repeated.
			for _, key := range []string{"http.request.method", "url.path", "http.response.status_code", "http.route", "client.address"} {
				if _, ok := l.Attributes[key]; ok {
					t.Errorf("attribute %s repeats a field", key)
				}
			}
			if l.DroppedAttributes != 0 {
				t.Errorf("dropped_attributes = %d", l.DroppedAttributes)
			}
		})
	}
}
