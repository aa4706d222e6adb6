// Command relayer-dev is a Kafka broker for development: run it instead of
// a Kafka container, point the service at it, and watch its request logs
// and events as they arrive.
//
//	go install github.com/otelrelayer/otelrelayer/cmd/relayer-dev@latest
//	relayer-dev                    # broker on 127.0.0.1:9092, messages in memory
//	relayer-dev -data ./.kafka     # keep the messages across restarts
//	relayer-dev -port 19092 -tail=false
//
// The broker is franz-go's kfake, the embedded broker of the tests: it
// speaks the Kafka protocol, creates topics on first use (with -partitions
// partitions) and listens on 127.0.0.1 only. relayer-dev prints the
// KAFKA_BROKERS line to export in the service's shell, then, unless
// -tail=false, one row per request log and per event as they arrive (-v
// expands request logs into their lines). It stops on SIGINT or SIGTERM;
// with -data, what was written is there at the next start.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/cmd/internal/consolefmt"
)

// DefaultPort is the port the broker listens on, Kafka's usual one, so that
// KAFKA_BROKERS=127.0.0.1:9092 works as with a local Kafka.
const DefaultPort = 9092

func main() {
	cli.Main("relayer-dev", func(ctx context.Context) error {
		return run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	})
}

// addon is started with the broker, such as the web view of request logs.
// An addon registers itself from an init function of its own file.
type addon struct {
	// flags registers the addon's flags; the addon keeps their values.
	flags func(fs *flag.FlagSet)
	// check runs once the flags are parsed, before anything starts; its
	// error is a usage error naming the flag that is wrong.
	check func() error
	// start runs once the broker is up, with its seed addresses, and
	// returns when ctx is done. Its error ends the command.
	start func(ctx context.Context, brokers []string, stdout, stderr io.Writer) error
}

var addons []addon

// maxPartitions bounds -partitions. The broker creates that many partitions
// for every topic on its first use, each event type being a topic: 100,000
// cost about 100 MiB and over a second per new topic (and a directory each
// with -data), and the tail fetches from every one. Kafka's own partition
// counts are int32. A thousand is far beyond what a development broker needs
// to show how keys spread over partitions.
const maxPartitions = 1000

// config is what the command line asks for.
type config struct {
	port       int
	dataDir    string
	partitions int
	tail       bool
	format     consolefmt.Options
}

// run parses args, starts the broker and serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseArgs(args, stderr, os.Getenv, cli.IsTerminal(stdout))
	if err != nil {
		return err
	}
	started := time.Now() // the tail shows everything written from here on
	b, err := startBroker(cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	brokers := b.ListenAddrs()
	printBanner(stdout, cfg, brokers, os.Environ())

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	running := 0
	if cfg.tail {
		running++
		go func() {
			defer func() { done <- struct{}{} }()
			if err := tailConsole(ctx, brokers, started, cfg.format, stdout, stderr); err != nil {
				cancel(err)
			}
		}()
	}
	for _, a := range addons {
		running++
		go func() {
			defer func() { done <- struct{}{} }()
			if err := a.start(ctx, brokers, stdout, stderr); err != nil {
				cancel(err)
			}
		}()
	}
	<-ctx.Done()
	for range running {
		<-done
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	fmt.Fprintln(stderr, "relayer-dev: stopped")
	return nil
}

// parseArgs reads the flags; getenv provides NO_COLOR, and
// stdoutIsTerminal decides -color=auto.
func parseArgs(args []string, stderr io.Writer, getenv func(string) string, stdoutIsTerminal bool) (config, error) {
	fs := flag.NewFlagSet("relayer-dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: relayer-dev [flags]\n\nRuns a Kafka broker for development on 127.0.0.1 and shows the request logs and events written to it.\n\n")
		fs.PrintDefaults()
	}
	port := fs.Int("port", DefaultPort, "the broker's `port` on 127.0.0.1 (0: any free port)")
	dataDir := fs.String("data", "", "keep topics and messages in `dir` across restarts (default: in memory only)")
	partitions := fs.Int("partitions", 3, "partitions of each topic the broker creates on first use (1 to 1000)")
	tail := fs.Bool("tail", true, "print each request log and event as it arrives")
	verbose := fs.Bool("v", false, "expand each request log: metadata, then every event and log line")
	color := cli.ColorFlag(fs)
	for _, a := range addons {
		a.flags(fs)
	}
	if err := cli.Parse(fs, args); err != nil {
		return config{}, err
	}
	for _, a := range addons {
		if err := a.check(); err != nil {
			return config{}, err
		}
	}
	cfg := config{port: *port, dataDir: *dataDir, partitions: *partitions, tail: *tail}
	if cfg.port < 0 || cfg.port > 65535 {
		return config{}, cli.Usagef("-port %d: want 0 to 65535", cfg.port)
	}
	if cfg.partitions < 1 || cfg.partitions > maxPartitions {
		return config{}, cli.Usagef("-partitions %d: want 1 to %d (each topic gets that many partitions when first used)", cfg.partitions, maxPartitions)
	}
	cfg.format = consolefmt.Options{Verbose: *verbose, Location: time.Local}
	var err error
	if cfg.format.Color, err = cli.Color(*color, getenv, stdoutIsTerminal); err != nil {
		return config{}, err
	}
	return cfg, nil
}
