// Command relayview serves the web view of request logs for any Kafka
// cluster: a live list of request logs, newest first, with relaytail's
// filters, a timeline per request with its lines and events, and each
// event's message (the view relayer-dev -ui serves for its own broker).
//
//	go install github.com/otelrelayer/otelrelayer/cmd/relayview@latest
//	KAFKA_BROKERS=kafka:9092 relayview       # then open http://127.0.0.1:9080/
//	relayview -brokers kafka:9092 -topics logging,order_created -since 10m
//
// It reads every topic (or -topics) from -since ago, without a consumer
// group, and keeps the newest -max-requests request logs in memory. It
// listens on loopback unless -ui gives a host. It connects in plaintext.
// It stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/otelrelayer/otelrelayer/internal/tail"
	"github.com/otelrelayer/otelrelayer/internal/webview"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "relayview:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "relayview:", err)
		os.Exit(1)
	}
}

// usageError is a command line that cannot be run.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run serves the view until ctx is done; getenv provides KAFKA_BROKERS and
// RELAYER_TRACE_URL.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("relayview", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: relayview [flags]\n\nServes a web view of the request logs and events on a Kafka cluster.\n\n")
		fs.PrintDefaults()
	}
	brokers := fs.String("brokers", getenv("KAFKA_BROKERS"), "Kafka seed brokers, a comma-separated `host:port` list (default $KAFKA_BROKERS)")
	topics := fs.String("topics", "", "read only these comma-separated `topics` (the logging topic and the event topics; default: every topic)")
	since := fs.Duration("since", time.Hour, "read messages written in the last `duration` (0: everything the topics hold)")
	view := webview.RegisterFlags(fs, getenv, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected arguments %q", fs.Args())}
	}
	cfg := tail.Config{
		Brokers: split(*brokers),
		Topics:  split(*topics),
		OnFetchError: func(topic string, partition int32, err error) {
			fmt.Fprintf(stderr, "relayview: reading %s[%d]: %v\n", topic, partition, err)
		},
	}
	switch {
	case len(cfg.Brokers) == 0:
		return usageError{"no brokers: give -brokers host:port or set KAFKA_BROKERS"}
	case *since < 0:
		return usageError{fmt.Sprintf("-since %v: want a duration of 0 or more", *since)}
	case *since > 0:
		cfg.Since = time.Now().Add(-*since)
	}
	if view.Addr() == "" {
		return usageError{"-ui: want an address such as :9080"}
	}
	v, err := view.New()
	if err != nil {
		return usageError{err.Error()}
	}
	ln, err := webview.Listen(view.Addr())
	if err != nil {
		return err
	}
	tl, err := tail.Open(ctx, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	fmt.Fprintf(stdout, "relayview: reading %s from %s; web view at %s\n", topicsText(cfg.Topics), strings.Join(cfg.Brokers, ","), webview.URL(ln))
	return webview.Run(ctx, ln, tl, v)
}

// split returns the non-empty items of a comma-separated list.
func split(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func topicsText(topics []string) string {
	if len(topics) == 0 {
		return "every topic"
	}
	return strings.Join(topics, ", ")
}
