// Command readme is the README's service: an HTTP API whose handler emits a
// domain event to Kafka and logs a line of its request's request log.
//
//	KAFKA_BROKERS=127.0.0.1:9092 go run ./readme
//	curl -X POST localhost:8080/orders -d '{"id":"o-1","item":"book"}'
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

func main() {
	// Ctrl-C or SIGTERM starts the graceful shutdown.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", ":8080")
	if err != nil {
		log.Fatal(err)
	}
	if err := run(ctx, ln); err != nil {
		log.Fatal(err)
	}
}

// run serves the API on ln until ctx ends, then shuts down within 10 seconds.
func run(ctx context.Context, ln net.Listener) error {
	// The Kafka producer; its brokers come from KAFKA_BROKERS (host:port,...)
	// or kafkasink.WithBrokers.
	sink, err := kafkasink.New()
	if err != nil {
		return err
	}
	// The span processor: one request log per request on topic "logging".
	relayer, err := exporter.New("logging", sink, exporter.WithSource("orders"))
	if err != nil {
		return errors.Join(err, sink.Close(ctx)) // the processor did not take the sink
	}
	tp := sdktrace.NewTracerProvider(
		// Record every span so that every request gets its request log;
		// span exporters (sdktrace.WithBatcher) still see 1% of traces.
		sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.01)))),
		sdktrace.WithSpanProcessor(relayer),
	)
	otel.SetTracerProvider(tp)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", createOrder)
	srv := &http.Server{
		// otelhttp starts each request's span; bridge.HTTPHandler adds the
		// request ID, proxy headers and bytes written to it.
		Handler:           otelhttp.NewHandler(bridge.HTTPHandler(mux), "api"),
		ReadHeaderTimeout: 5 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served: // the server failed
	case <-ctx.Done():
	}

	// Bound the shutdown: with Kafka away, a context without deadline would
	// wait up to the delivery timeout (2 minutes). What is not delivered in
	// time is counted in the error (errors.Is(err, kafkasink.ErrUndelivered)).
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The server first (requests in flight end), then the tracer provider,
	// which writes the last request logs and flushes the producer.
	return errors.Join(err, srv.Shutdown(shutdownCtx), tp.Shutdown(shutdownCtx))
}

// order is the body of POST /orders.
type order struct {
	ID   string `json:"id"`
	Item string `json:"item"`
}

// createOrder is a handler like any other: its context holds the request's span.
func createOrder(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var o order
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		bridge.Log(ctx, "warning", map[string]any{"msg": "invalid order", "error": err.Error()})
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// A domain event, written now to topic "order_created", keyed by the order.
	if err := bridge.Emit(ctx, "order_created", "web", o, bridge.WithPartitionKey(o.ID)); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	// A line of this request's request log, written when the request ends.
	bridge.Log(ctx, "info", map[string]any{"msg": "order stored", "id": o.ID})
	w.WriteHeader(http.StatusCreated)
}
