// Command httpserver serves an HTTP API under otelhttp with
// bridge.HTTPHandler inside it, so that each request's request log holds the
// fields of the Python library's Flask middleware. It sends the API a few
// requests (proxy headers, a streamed body, a panicking handler), then prints
// the event topic and the logging topic.
//
//	go run ./httpserver            # embedded broker, no setup
//	KAFKA_BROKERS=host:9092 go run ./httpserver
//	go run ./httpserver -spool DIR  # messages kept in a write-ahead log in DIR until Kafka has them
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
)

func main() {
	demo.Main("httpserver", func(ctx context.Context, brokers []string) error {
		exchanges, err := serve(ctx, brokers)
		for _, e := range exchanges {
			fmt.Println(e)
		}
		return err
	}, "greeting_sent", "logging")
}

// call is one request the program sends.
type call struct {
	method, path string
	header       http.Header
}

// calls carry the headers a proxy in front of the API would add.
var calls = []call{
	{"GET", "/hello?name=ada", http.Header{"X-Request-Id": {"req-1"}}},
	{"GET", "/hello?name=grace", http.Header{"X-Request-Id": {"req-2"}, "X-Forwarded-For": {"198.51.100.7, 10.0.0.2"}}},
	{"GET", "/hello", http.Header{"X-Request-Id": {"req-3"}, "X-Real-Ip": {"203.0.113.9"}, "X-Forwarded-For": {"203.0.113.9"}}},
	{"GET", "/stream?chunks=3", http.Header{"X-Request-Id": {"req-4"}}},
	{"POST", "/panic", http.Header{"X-Request-Id": {"req-5"}}},
}

// userAgent is the User-Agent of every call.
const userAgent = "httpserver-example/1.0"

// exchange is what the client saw of one call.
type exchange struct {
	call
	status   int   // 0 when the server closed the connection
	declared int64 // the Content-Length header, -1 when absent
	read     int64 // body bytes received
	err      error
}

func (e exchange) String() string {
	if e.err != nil {
		return fmt.Sprintf("%s %s -> %v", e.method, e.path, e.err)
	}
	if e.declared < 0 {
		return fmt.Sprintf("%s %s -> %d, %d bytes, no Content-Length", e.method, e.path, e.status, e.read)
	}
	return fmt.Sprintf("%s %s -> %d, %d bytes", e.method, e.path, e.status, e.read)
}

// serve installs the pipeline, serves the API on loopback, sends every call,
// then shuts the server and the tracer provider down: when it returns, every
// event and request log is in Kafka.
func serve(ctx context.Context, brokers []string) ([]exchange, error) {
	tp, _, err := demo.Install(brokers, "httpserver")
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{
		// otelhttp starts the server span; bridge.HTTPHandler, inside it,
		// adds what otelhttp leaves out (X-Request-ID, X-Forwarded-For,
		// X-Real-IP, the bytes actually written, a panic) to that span.
		Handler:           otelhttp.NewHandler(bridge.HTTPHandler(newAPI()), "api"),
		ReadHeaderTimeout: 5 * time.Second,
		// net/http logs a recovered panic with its stack; the request log
		// already holds the panic, so keep the output readable.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() { _ = srv.Serve(ln) }()

	base := "http://" + ln.Addr().String()
	fmt.Printf("serving on %s, Kafka at %s\n\n", base, strings.Join(brokers, ","))
	exchanges := make([]exchange, 0, len(calls))
	for _, c := range calls {
		exchanges = append(exchanges, send(ctx, base, c))
	}

	shutdownCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// Shutting the tracer provider down writes the pending request logs and
	// flushes the producer.
	return exchanges, errors.Join(srv.Shutdown(shutdownCtx), tp.Shutdown(shutdownCtx))
}

func send(ctx context.Context, base string, c call) exchange {
	e := exchange{call: c}
	req, err := http.NewRequestWithContext(ctx, c.method, base+c.path, nil)
	if err != nil {
		e.err = err
		return e
	}
	req.Header = c.header.Clone()
	req.Header.Set("User-Agent", userAgent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.err = err // the panicking handler: net/http drops the connection
		return e
	}
	defer resp.Body.Close()
	e.status, e.declared = resp.StatusCode, resp.ContentLength
	e.read, e.err = io.Copy(io.Discard, resp.Body)
	return e
}
