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
// group, and keeps the -max-requests request logs that arrived last in
// memory. Records are any producer's: a batch that decompresses to more
// than 16 MiB is skipped (a marker row says so), pages are bounded, and
// the process stays within MemoryBound (384 MiB) of resident memory. It
// listens on loopback unless -ui gives a host. It connects in plaintext.
// It stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/cmd/internal/webview"
)

// MemoryBound is the most resident memory relayview takes, as its
// documentation states, whatever the records it reads: what the view holds
// (64 MiB of request logs and 32 MiB of events, by its count of their
// bytes, about twice that on the heap), a fetch being read (1 MiB as sent,
// its batches at most 16 MiB each decompressed) and the pages being
// served. TestMemoryBoundUnderHostileRecords measures it.
const MemoryBound = 384 << 20

// memoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT
// sets one: near it the garbage collector runs more often instead of
// letting the heap double, which keeps the process within MemoryBound.
const memoryLimit = 256 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	cli.Main("relayview", func(ctx context.Context) error {
		return run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	})
}

// run serves the view until ctx is done; getenv provides KAFKA_BROKERS and
// RELAYER_TRACE_URL.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("relayview", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: relayview [flags]\n\nServes a web view of the request logs and events on a Kafka cluster.\n\n")
		fs.PrintDefaults()
	}
	brokers := cli.BrokersFlag(fs, getenv)
	topics := fs.String("topics", "", "read only these comma-separated `topics` (the logging topic and the event topics; default: every topic)")
	since := fs.Duration("since", time.Hour, "read messages written in the last `duration` (0: everything the topics hold)")
	view := cli.RegisterViewFlags(fs, getenv, "")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	seeds, err := cli.Brokers(*brokers)
	if err != nil {
		return err
	}
	cfg := tail.Config{
		Brokers: seeds,
		Topics:  cli.Split(*topics),
		OnFetchError: func(topic string, partition int32, err error) {
			cli.Notef(stderr, "relayview", "reading %s[%d]: %v", topic, partition, err)
		},
	}
	switch {
	case *since < 0:
		return cli.Usagef("-since %v: want a duration of 0 or more", *since)
	case *since > 0:
		cfg.Since = time.Now().Add(-*since)
	}
	if view.Addr() == "" {
		return cli.UsageError{Msg: "-ui: want an address such as :9080"}
	}
	v, err := view.NewView()
	if err != nil {
		return err
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
	cli.Notef(stdout, "relayview", "reading %s from %s; web view at %s", topicsText(cfg.Topics), strings.Join(cfg.Brokers, ","), webview.URL(ln))
	return webview.Run(ctx, ln, tl, v)
}

func topicsText(topics []string) string {
	if len(topics) == 0 {
		return "every topic"
	}
	return strings.Join(topics, ", ")
}
