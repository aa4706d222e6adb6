// Command relaytail follows otelrelayer's logging topic and prints one
// readable line per request: time, HTTP status (or the service of RPC calls
// and jobs, with the RPC status), duration, method, path and route, number
// of lines, trace ID. With -v, each request also shows its metadata (its
// attributes as attr.KEY=VALUE) and every event and log line.
//
//	go install github.com/otelrelayer/otelrelayer/cmd/relaytail@latest
//	relaytail -brokers 127.0.0.1:9092        # or KAFKA_BROKERS=...
//	relaytail -status 5xx -v                  # failed requests, expanded
//	relaytail -path /orders -trace 4bf92f35
//	relaytail -route '/orders/{id}' -attr enduser.id=42
//	relaytail -rpc-status NOT_FOUND,UNAVAILABLE -v
//	relaytail -q 'status=5xx dur>=250ms payload.order_id=42'   # the web view's search
//	relaytail -brokers kafka:9093 -tls-ca ca.pem -sasl-mechanism SCRAM-SHA-512 \
//	    -sasl-user ops -sasl-password-file ~/.kafka-password
//
// It connects as kafkasink's producer does: the KAFKA_* variables (brokers,
// TLS, SASL) with the flags standing for them overriding them one by one.
// A variable or flag it cannot honour is an error, never a plaintext
// connection, and a refused certificate or password fails at start with
// its reason. There is no flag for the SASL password: KAFKA_SASL_PASSWORD
// or -sasl-password-file.
//
// Request logs are printed in the order of their time across partitions:
// each is held for -window (500ms) so that an earlier one on another
// partition can overtake it; -window 0 prints them as they arrive.
//
// It exits with status 1 within a few seconds (-timeout) when no broker
// answers or the topic does not exist, and says once when the topic holds
// messages that are not request logs (they are skipped). It reads without a
// consumer group, so it commits nothing and does not disturb other
// consumers. It stops on SIGINT or SIGTERM, or after -n matching request
// logs.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/cmd/internal/consolefmt"
	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

func main() {
	cli.Main("relaytail", func(ctx context.Context) error {
		return run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	})
}

// config is what the command line asks for.
type config struct {
	conn          *kafkasink.Connection
	connFlags     *cli.ConnFlags
	brokers       []string
	topic         string
	fromBeginning bool
	limit         int
	window        time.Duration
	timeout       time.Duration
	filter        tail.Filter
	query         tail.Query
	format        consolefmt.Options
}

// run parses args and follows the topic until ctx is done or -n request logs
// matched.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runEnv(ctx, args, os.Environ(), stdout, stderr)
}

// runEnv is run with environ in place of the process environment.
func runEnv(ctx context.Context, args, environ []string, stdout, stderr io.Writer) error {
	cfg, err := parseArgs(args, stderr, environ, cli.IsTerminal(stdout))
	if err != nil {
		return err
	}
	from := "new request logs"
	if cfg.fromBeginning {
		from = "from the beginning"
	}
	tl, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer tl.Close()
	cli.Notef(stderr, "relaytail", "following %s on %s, %s (Ctrl-C to stop)", cfg.topic, cfg.conn, from)
	return follow(ctx, tl, cfg, stdout, stderr)
}

// parseArgs reads the flags; environ (os.Environ's entries) provides the
// KAFKA_* variables and NO_COLOR, and stdoutIsTerminal decides -color=auto.
func parseArgs(args []string, stderr io.Writer, environ []string, stdoutIsTerminal bool) (config, error) {
	getenv := cli.Getenv(environ)
	fs := flag.NewFlagSet("relaytail", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: relaytail [flags]\n\nFollows otelrelayer's logging topic and prints one line per request.\n\n")
		fs.PrintDefaults()
	}
	connFlags := cli.RegisterConnFlags(fs)
	topic := fs.String("topic", "logging", "the logging topic, with its prefix and suffix if any")
	fromBeginning := fs.Bool("from-beginning", true, "print the request logs already in the topic; false: only new ones")
	limit := fs.Int("n", 0, "exit after `N` matching request logs (0: follow until interrupted)")
	verbose := fs.Bool("v", false, "expand each request: metadata, then every event and log line on a row of its own")
	status := fs.String("status", "", "only HTTP requests with these statuses: `codes` or classes such as 404, 5xx, 4xx,503")
	path := fs.String("path", "", "only HTTP requests whose path starts with `prefix`")
	trace := fs.String("trace", "", "only the request logs of this trace `ID` (or ID prefix)")
	route := fs.String("route", "", "only HTTP requests of this `route` (the http.route, such as /orders/{id})")
	rpcStatus := fs.String("rpc-status", "", "only RPC calls with these `statuses`: names or codes such as NOT_FOUND, UNAVAILABLE,14")
	var attrs attrFlags
	fs.Var(&attrs, "attr", "only request logs whose attribute `key=value` (such as enduser.id=42); repeat for several, all must match")
	query := fs.String("q", "", "only the request logs this `query` finds, in the web view's search syntax: "+
		"key=value, key>=value and free words, all of which must hold, e.g. 'status=5xx dur>=250ms level=error \"out of stock\"'; keys: "+
		strings.Join(tail.QueryKeys(tail.KindRequestLog), " "))
	window := fs.Duration("window", tail.DefaultWindow, "hold each request log this long so that earlier ones on other partitions go first; 0: print as they arrive")
	timeout := fs.Duration("timeout", tail.DefaultTimeout, "give up when no broker answers within this `duration`")
	color := cli.ColorFlag(fs)
	if err := cli.Parse(fs, args); err != nil {
		return config{}, err
	}

	cfg := config{connFlags: connFlags, topic: *topic, fromBeginning: *fromBeginning, limit: *limit, window: *window, timeout: *timeout}
	var err error
	if cfg.conn, err = connFlags.Connection(environ); err != nil {
		return config{}, err
	}
	cfg.brokers = cfg.conn.Brokers()
	if cfg.topic == "" {
		return config{}, cli.UsageError{Msg: "-topic must not be empty"}
	}
	if cfg.limit < 0 {
		return config{}, cli.Usagef("-n %d: want 0 or more", cfg.limit)
	}
	if cfg.window < 0 {
		return config{}, cli.Usagef("-window %v: want 0 or more", cfg.window)
	}
	if cfg.timeout <= 0 {
		return config{}, cli.Usagef("-timeout %v: want more than 0", cfg.timeout)
	}
	if cfg.filter, err = tail.ParseFilter(*status, *path, *trace); err != nil {
		return config{}, cli.UsageError{Msg: "-" + err.Error()}
	}
	if cfg.filter, err = cfg.filter.WithWide(*route, *rpcStatus, attrs); err != nil {
		return config{}, cli.UsageError{Msg: "-" + err.Error()}
	}
	if cfg.query, err = tail.ParseQuery(*query, tail.KindRequestLog, time.Now()); err != nil {
		return config{}, cli.Usagef("-q: %v", err)
	}

	cfg.format = consolefmt.Options{Verbose: *verbose, Location: time.Local}
	if cfg.format.Color, err = cli.Color(*color, getenv, stdoutIsTerminal); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// attrFlags collects the -attr flags.
type attrFlags []string

func (a *attrFlags) String() string { return strings.Join(*a, " ") }

func (a *attrFlags) Set(v string) error {
	*a = append(*a, v)
	return nil
}
