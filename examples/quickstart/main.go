// Command quickstart runs otelrelayer end to end: it starts an embedded Kafka
// broker (or uses KAFKA_BROKERS), serves a small HTTP API instrumented with
// otelhttp and otelrelayer, sends it a few requests, then reads back what
// each request wrote and prints it, request by request in time order: its
// events and its request log, readably, and once the raw JSON of an event
// and of a request log. With KAFKA_BROKERS it shows only what this run
// wrote.
//
//	go run ./quickstart                # embedded broker, no setup
//	KAFKA_BROKERS=host:9092 go run ./quickstart
//	go run ./quickstart -console       # no Kafka at all: messages printed as produced
//	go run ./quickstart -keep-running  # then keep the broker and the API up for relaytail
//	go run ./quickstart -spool DIR     # messages in a write-ahead log in DIR until Kafka has them
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/consolesink"
	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
	"github.com/otelrelayer/otelrelayer/exporter"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	flags := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	console := flags.Bool("console", false, "print every message as it is produced instead of writing it to Kafka: no broker at all, no read-back")
	demo.SpoolFlag(flags)
	keepRunning := flags.Bool("keep-running", false, "after the requests, keep the broker and the API running until SIGINT or SIGTERM, to try relaytail and curl")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *console && demo.SpoolDir != "" {
		return errors.New("-spool needs Kafka: the console sink (-console) writes nothing to keep")
	}
	started := time.Now() // what this run writes is stamped from here on
	format := style{color: color(stdout)}

	// 1. The pipeline: a Kafka sink, the otelrelayer span processor, and a
	// tracer provider that records every span (AlwaysRecord) so every
	// request gets its request log whatever the trace sampling rate.
	var brokers []string
	var tp *sdktrace.TracerProvider
	if *console {
		var err error
		if tp, err = installConsole(stdout); err != nil {
			return err
		}
	} else {
		var stop func()
		var err error
		brokers, stop, err = demo.Brokers()
		if err != nil {
			return err
		}
		defer stop()
		if tp, _, err = demo.Install(brokers, "quickstart"); err != nil {
			return err
		}
	}

	// 2. An HTTP API, instrumented with otelhttp as usual.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// otelhttp starts the server span; bridge.HTTPHandler adds what otelhttp
	// leaves out (query string, X-Request-ID, X-Forwarded-For, X-Real-IP).
	srv := &http.Server{Handler: otelhttp.NewHandler(bridge.HTTPHandler(newAPI()), "orders-api"), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	kafka := "an embedded Kafka broker at " + strings.Join(brokers, ",")
	if os.Getenv("KAFKA_BROKERS") != "" {
		kafka = "Kafka at " + strings.Join(brokers, ",") + " (KAFKA_BROKERS)"
	}
	if *console {
		fmt.Fprintf(stdout, "The orders API on %s, no Kafka: each message is printed as it is produced.\n\n", base)
	} else {
		fmt.Fprintf(stdout, "The orders API on %s (otelhttp and otelrelayer), writing to %s.\n\nRequests sent:\n", base, kafka)
	}

	// 3. A few requests, each starting a trace of its own.
	reqs := []*sent{
		{method: "POST", path: "/orders", body: `{"item":"book","quantity":2}`},
		{method: "POST", path: "/orders", body: `{"item":"pen","quantity":10}`},
		{method: "GET", path: "/orders/1?verbose=1"},
		{method: "POST", path: "/orders", body: `{"item":""}`},
	}
	for i, r := range reqs {
		r.traceID = newTraceID()
		if r.status, err = send(ctx, base, r.method, r.path, r.body, r.traceID, fmt.Sprintf("quickstart-%d", i+1)); err != nil {
			return err
		}
		if *console {
			fmt.Fprintf(stdout, "%s %s -> %d\n\n", r.method, r.path, r.status)
		} else {
			fmt.Fprintf(stdout, "    %-5s %-20s %-30s -> %d\n", r.method, r.path, r.body, r.status)
		}
	}
	if !*console {
		// Shut down or flushed, the pipeline has written everything.
		defer func() {
			if err == nil && !*keepRunning {
				printNext(stdout)
			}
		}()
	}

	if *keepRunning {
		if err := keepServing(ctx, stdout, tp, brokers, base, started, reqs, format); err != nil {
			return err
		}
	}

	// The context may be canceled by now (-keep-running): shut down anyway.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	// Shutdown writes what is pending and flushes the producer.
	if err := tp.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if *console || *keepRunning {
		return nil // printed already
	}

	// 4. Read back what each request wrote.
	if err := collect(ctx, brokers, started, reqs, "order_created", "logging"); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	printAccount(stdout, reqs, format)
	return nil
}

// installConsole is demo.Install with a console sink instead of Kafka.
func installConsole(stdout io.Writer) (*sdktrace.TracerProvider, error) {
	sink := consolesink.New(stdout, consolesink.WithColor(color(stdout)))
	relayer, err := exporter.New("logging", sink, exporter.WithSource("quickstart"))
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.ParentBased(sdktrace.AlwaysSample()))),
		sdktrace.WithSpanProcessor(relayer),
	)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	return tp, nil
}

// keepServing prints what was written so far (from Kafka; the console has
// printed it already), then how to follow the API's request logs, and waits
// for SIGINT, SIGTERM or the end of ctx.
func keepServing(ctx context.Context, stdout io.Writer, tp *sdktrace.TracerProvider, brokers []string, base string, started time.Time, reqs []*sent, format style) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(brokers) > 0 {
		if err := tp.ForceFlush(ctx); err != nil {
			return err
		}
		if err := collect(ctx, brokers, started, reqs, "order_created", "logging"); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
		printAccount(stdout, reqs, format)
		addrs := strings.Join(brokers, ",")
		fmt.Fprintf(stdout, "\nKafka at %s and the orders API at %s keep running; Ctrl-C stops them.\n", addrs, base)
		fmt.Fprintf(stdout, "Follow the request logs from another terminal, at the repository root:\n\n")
		fmt.Fprintf(stdout, "    go run ./cmd/relaytail -brokers %s -v\n\n", addrs)
		fmt.Fprintf(stdout, "and send requests:\n\n")
	} else {
		fmt.Fprintf(stdout, "The orders API at %s keeps running and prints each message as it is produced; Ctrl-C stops it.\n", base)
		fmt.Fprintf(stdout, "Send it requests from another terminal:\n\n")
	}
	fmt.Fprintf(stdout, "    curl -i -X POST %s/orders -d '{\"item\":\"ink\",\"quantity\":1}'\n", base)
	fmt.Fprintf(stdout, "    curl -i '%s/orders/1?verbose=1'\n\n", base)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return nil
}

// send makes a request with the X-Request-ID requestID; with traceID, the
// request starts that trace (W3C traceparent, sampled).
func send(ctx context.Context, base, method, path, body, traceID, requestID string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "quickstart/1.0")
	req.Header.Set("X-Request-ID", requestID)
	if traceID != "" {
		req.Header.Set("traceparent", "00-"+traceID+"-"+newTraceID()[:16]+"-01")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// color reports whether to colour what is written to w: when w is a
// terminal and NO_COLOR is unset, as relaytail's -color=auto.
func color(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
