// Command quickstart runs otelrelayer end to end: it starts an embedded Kafka
// broker (or uses KAFKA_BROKERS), serves a small HTTP API instrumented with
// otelhttp and otelrelayer, sends it a few requests, then reads back and
// prints the event topics and the logging topic.
//
//	go run ./quickstart            # embedded broker, no setup
//	KAFKA_BROKERS=host:9092 go run ./quickstart
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	brokers, stop, err := demo.Brokers()
	if err != nil {
		return err
	}
	defer stop()

	// 1. The pipeline: a Kafka sink, the otelrelayer span processor, and a
	// tracer provider that records every span (AlwaysRecord) so every
	// request gets its request log whatever the trace sampling rate.
	tp, _, err := demo.Install(brokers, "quickstart")
	if err != nil {
		return err
	}

	// 2. An HTTP API, instrumented with otelhttp as usual.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: otelhttp.NewHandler(newAPI(), "orders-api"), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	fmt.Printf("serving the orders API on %s, Kafka at %s\n\n", base, strings.Join(brokers, ","))

	// 3. A few requests.
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/orders", `{"item":"book","quantity":2}`},
		{"POST", "/orders", `{"item":"pen","quantity":10}`},
		{"GET", "/orders/1?verbose=1", ""},
		{"POST", "/orders", `{"item":""}`},
	} {
		status, err := send(ctx, base, r.method, r.path, r.body)
		if err != nil {
			return err
		}
		fmt.Printf("%s %s -> %d\n", r.method, r.path, status)
	}
	shutdownCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	// Shutdown writes what is pending and flushes the producer.
	if err := tp.Shutdown(shutdownCtx); err != nil {
		return err
	}

	// 4. Read back what was written.
	fmt.Println()
	return demo.PrintTopics(ctx, brokers, "order_created", "logging")
}

func send(ctx context.Context, base, method, path, body string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "quickstart/1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}
