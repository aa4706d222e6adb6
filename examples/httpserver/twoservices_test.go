package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
)

// callThroughTwoServices runs two services, each with its own pipeline
// (sources "gateway" and "orders"): GET /checkout/{id} on the gateway calls
// POST /orders/{id} on the orders service through an instrumented client,
// and the orders service emits order_created with note in its payload.
// It calls the gateway once per order ID and returns when every request
// log and event is on Kafka.
func callThroughTwoServices(t *testing.T, brokers []string, note string, ids ...int) {
	t.Helper()
	ctx := t.Context()
	gatewayTP, _, err := demo.Install(brokers, "gateway")
	if err != nil {
		t.Fatal(err)
	}
	ordersTP, _, err := demo.Install(brokers, "orders")
	if err != nil {
		t.Fatal(err)
	}
	prop := otelhttp.WithPropagators(propagation.TraceContext{})

	orders := http.NewServeMux()
	orders.HandleFunc("POST /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		_ = bridge.Log(r.Context(), "info", "storing order "+id)
		if err := bridge.Emit(r.Context(), "order_created", "api", map[string]any{"order_id": orderNumber(id), "note": note}, bridge.WithPartitionKey(id)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	ordersURL := listen(t, otelhttp.NewHandler(bridge.HTTPHandler(orders, bridge.WithTracerProvider(ordersTP)), "orders",
		otelhttp.WithTracerProvider(ordersTP), prop))

	client := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(gatewayTP), prop)}
	gateway := http.NewServeMux()
	gateway.HandleFunc("GET /checkout/{id}", func(w http.ResponseWriter, r *http.Request) {
		_ = bridge.Log(r.Context(), "info", "checking out")
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, ordersURL+"/orders/"+r.PathValue("id"), nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
	})
	gatewayURL := listen(t, otelhttp.NewHandler(bridge.HTTPHandler(gateway, bridge.WithTracerProvider(gatewayTP)), "gateway",
		otelhttp.WithTracerProvider(gatewayTP), prop))

	for _, id := range ids {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/checkout/%d", gatewayURL, id), nil)
		req.Header.Set("X-Request-Id", fmt.Sprintf("checkout-%d", id))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("GET /checkout/%d: status %d", id, resp.StatusCode)
		}
	}
	shutdown, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := errors.Join(gatewayTP.Shutdown(shutdown), ordersTP.Shutdown(shutdown)); err != nil {
		t.Fatal(err)
	}
}

// orderNumber is an order ID as a JSON number when it is one.
func orderNumber(id string) any {
	var n int
	if _, err := fmt.Sscan(id, &n); err == nil {
		return n
	}
	return id
}

// listen serves h on loopback until the test ends and returns its URL.
func listen(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}
