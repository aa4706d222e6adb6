package webview

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"strings"

	"github.com/otelrelayer/otelrelayer/internal/tail"
)

// DefaultAddr is where the commands serve the view unless -ui says
// otherwise: port 9080 on loopback, next to Kafka's 9092 and clear of the
// 8080 that services and other Kafka UIs tend to take.
const DefaultAddr = ":9080"

// EnvTraceURL names the environment variable that gives -trace-url its
// default: a trace UI's URL with [TraceIDPlaceholder] (see [WithTraceURL]).
const EnvTraceURL = "RELAYER_TRACE_URL"

// Flags are the command-line flags of a command that serves the view:
// -ui, -trace-url and -max-requests.
type Flags struct {
	fs          *flag.FlagSet
	addr        *string
	traceURL    *string
	maxRequests *int
}

// RegisterFlags defines the view's flags on fs; getenv provides
// [EnvTraceURL]. offHint says how the command turns the view off, for the
// -ui flag's help.
func RegisterFlags(fs *flag.FlagSet, getenv func(string) string, offHint string) *Flags {
	return &Flags{
		fs: fs,
		addr: fs.String("ui", DefaultAddr, "serve the web view of request logs on `address`; "+
			"without a host it listens on 127.0.0.1 only, give 0.0.0.0:PORT to listen on every interface"+offHint),
		traceURL: fs.String("trace-url", getenv(EnvTraceURL), "link trace IDs to a trace UI: a `URL` in which "+TraceIDPlaceholder+
			" stands for the trace ID, e.g. http://localhost:16686/trace/"+TraceIDPlaceholder+" (default $"+EnvTraceURL+")"),
		maxRequests: fs.Int("max-requests", DefaultMaxRequests, "the web view keeps the newest `n` request logs"),
	}
}

// Addr is the -ui address; "" means no view.
func (f *Flags) Addr() string { return strings.TrimSpace(*f.addr) }

// AddrGiven reports whether -ui was on the command line.
func (f *Flags) AddrGiven() bool {
	given := false
	f.fs.Visit(func(fl *flag.Flag) { given = given || fl.Name == "ui" })
	return given
}

// New returns the View the flags describe, or an error naming the flag
// that is wrong.
func (f *Flags) New() (*View, error) {
	if *f.maxRequests < 1 {
		return nil, fmt.Errorf("-max-requests %d: want 1 or more", *f.maxRequests)
	}
	if t := *f.traceURL; t != "" {
		if err := checkTraceURL(t); err != nil {
			return nil, fmt.Errorf("-trace-url (or $%s): %w", EnvTraceURL, err)
		}
	}
	return New(WithMaxRequests(*f.maxRequests), WithTraceURL(*f.traceURL))
}

// Run serves v on ln and adds every message tl reads to it, until ctx is
// done (it then returns nil) or either fails. It closes ln and tl.
func Run(ctx context.Context, ln net.Listener, tl *tail.Tail, v *View) error {
	defer tl.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() { errc <- Follow(ctx, tl, v) }()
	go func() { errc <- Serve(ctx, ln, v) }()
	err := <-errc
	cancel()
	tl.Close() // ends a Next that does not watch ctx yet
	if err2 := <-errc; !errors.Is(err2, tail.ErrClosed) {
		err = errors.Join(err, err2)
	}
	return err
}
