// Command relayview serves the web view of request logs for any Kafka
// cluster: a live list of request logs, newest first, with relaytail's
// filters, a timeline per request with its lines and events, and each
// event's message (the view relayer-dev -ui serves for its own broker).
//
//	go install github.com/otelrelayer/otelrelayer/cmd/relayview@latest
//	KAFKA_BROKERS=kafka:9092 relayview       # then open http://127.0.0.1:9080/
//	relayview -brokers kafka:9092 -topics logging,order_created -since 10m
//
// It reads every topic (or -topics) from -since (a duration ago, a time
// or a date; 1h by default) or from -from-offset of every partition,
// without a consumer group, and keeps the -max-requests request logs that
// arrived last in memory (and at most 64 MiB of them, whatever the count):
// each page's header says from which date on it holds them. With
// -allow-replay each event's page has a button that re-produces the
// event (see the webview package). Records are any producer's: a batch that decompresses to more
// than 16 MiB is skipped (a marker row says so), pages are bounded, and
// the process stays within MemoryBound (384 MiB) of resident memory. It
// listens on loopback unless -ui gives a host. It stops on SIGINT or
// SIGTERM.
//
// It connects as kafkasink's producer does: the KAFKA_* variables (brokers,
// TLS, SASL) with the flags standing for them (-brokers, -tls, -tls-ca,
// -sasl-mechanism...) overriding them one by one. A variable or flag it
// cannot honour is an error, never a plaintext connection, and a refused
// certificate or password fails at start with its reason. There is no flag
// for the SASL password: KAFKA_SASL_PASSWORD or -sasl-password-file.
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

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/cmd/internal/webview"
)

// MemoryBound is the most resident memory relayview takes, as its
// documentation states, whatever the records it reads: what the view holds
// (64 MiB of request logs and 32 MiB of events, by its count of their
// bytes, about twice that on the heap), a fetch being read (1 MiB as sent,
// its batches at most 16 MiB each and about 32 MiB together decompressed,
// see package tail) and the pages being
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
		return run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Environ())
	})
}

// run serves the view until ctx is done; environ (os.Environ's entries)
// provides the KAFKA_* variables and RELAYER_TRACE_URL.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) error {
	getenv := cli.Getenv(environ)
	fs := flag.NewFlagSet("relayview", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: relayview [flags]\n\nServes a web view of the request logs and events on a Kafka cluster.\n\n")
		fs.PrintDefaults()
	}
	connFlags := cli.RegisterConnFlags(fs)
	timeout := fs.Duration("timeout", tail.DefaultTimeout, "give up when no broker answers within this `duration`")
	topics := fs.String("topics", "", "read only these comma-separated `topics` (the logging topic and the event topics; default: every topic)")
	since := fs.String("since", "1h", "read messages written since `when`: a duration ago (30m, 24h), an RFC 3339 time (2026-12-07T10:00:00Z) or a date; 0: everything the topics hold")
	fromOffset := fs.Int64("from-offset", -1, "read every partition from this `offset` on, instead of -since")
	view := cli.RegisterViewFlags(fs, getenv, "")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	conn, err := connFlags.Connection(environ)
	if err != nil {
		return err
	}
	if *timeout <= 0 {
		return cli.Usagef("-timeout %v: want more than 0", *timeout)
	}
	cfg := tail.Config{
		Brokers:       conn.Brokers(),
		ClientOptions: conn.ClientOptions(),
		Timeout:       *timeout,
		Topics:        cli.Split(*topics),
		OnFetchError: func(topic string, partition int32, err error) {
			cli.Notef(stderr, "relayview", "reading %s[%d]: %v", topic, partition, err)
		},
	}
	history, err := readFrom(&cfg, *since, *fromOffset, sinceGiven(fs), time.Now())
	if err != nil {
		return err
	}
	if view.Addr() == "" {
		return cli.UsageError{Msg: "-ui: want an address such as :9080"}
	}
	opts := []webview.Option{webview.WithHistory(history)}
	if view.AllowReplay() {
		replayer, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(conn.Brokers()...)}, conn.ClientOptions()...)...)
		if err != nil {
			return fmt.Errorf("relayview: the replay's producer: %w", err)
		}
		defer replayer.Close()
		opts = append(opts, webview.WithReplay(replayer, cli.Notes(stderr, "relayview")))
	}
	v, err := view.NewView(opts...)
	if err != nil {
		return err
	}
	ln, err := webview.Listen(view.Addr())
	if err != nil {
		return err
	}
	if err := connFlags.Ping(ctx, conn, *timeout); err != nil {
		ln.Close()
		return err
	}
	tl, err := tail.Open(ctx, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	cli.Notef(stdout, "relayview", "reading %s from %s; web view at %s", topicsText(cfg.Topics), conn, webview.URL(ln))
	return webview.Run(ctx, ln, tl, v)
}

// readFrom sets where cfg starts reading from -since and -from-offset,
// and returns it in words for the view's header.
func readFrom(cfg *tail.Config, since string, fromOffset int64, sinceGiven bool, now time.Time) (string, error) {
	if fromOffset >= 0 {
		if sinceGiven {
			return "", cli.UsageError{Msg: "-since and -from-offset: give one of them"}
		}
		cfg.FromOffset = fromOffset
		return fmt.Sprintf("offset %d of every partition", fromOffset), nil
	}
	if fromOffset < -1 {
		return "", cli.Usagef("-from-offset %d: want an offset of 0 or more", fromOffset)
	}
	since = strings.TrimSpace(since)
	if d, err := time.ParseDuration(since); err == nil {
		switch {
		case d < 0:
			return "", cli.Usagef("-since %s: want a duration of 0 or more, a time or a date", since)
		case d == 0:
			return "the start of every partition", nil
		}
	}
	at, err := tail.ParseTime(since, now)
	if err != nil {
		return "", cli.Usagef("-since: %v", err)
	}
	if at.After(now) {
		return "", cli.Usagef("-since %s: %s is in the future; nothing would be read until then", since, at.UTC().Format(time.RFC3339))
	}
	cfg.Since = at
	if _, err := time.ParseDuration(since); err == nil {
		return "the last " + since + " (" + at.UTC().Format("2006-01-02 15:04:05 UTC") + ")", nil
	}
	return at.UTC().Format("2006-01-02 15:04:05 UTC"), nil
}

func sinceGiven(fs *flag.FlagSet) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "since" })
	return given
}

func topicsText(topics []string) string {
	if len(topics) == 0 {
		return "every topic"
	}
	return strings.Join(topics, ", ")
}
