package cli

import (
	"flag"
	"strings"

	"github.com/otelrelayer/otelrelayer/cmd/internal/webview"
)

// DefaultViewAddr is where the commands serve the web view unless -ui says
// otherwise: port 9080 on loopback, next to Kafka's 9092 and clear of the
// 8080 that services and other Kafka UIs tend to take.
const DefaultViewAddr = ":9080"

// EnvTraceURL names the environment variable that gives -trace-url its
// default: a trace UI's URL with [webview.TraceIDPlaceholder] (see
// [webview.WithTraceURL]).
const EnvTraceURL = "RELAYER_TRACE_URL"

// ViewFlags are the command-line flags of a command that serves the web
// view: -ui, -trace-url, -max-requests and -allow-replay.
type ViewFlags struct {
	fs          *flag.FlagSet
	addr        *string
	traceURL    *string
	maxRequests *int
	allowReplay *bool
}

// RegisterViewFlags defines the view's flags on fs; getenv provides
// [EnvTraceURL]. offHint says how the command turns the view off, for the
// -ui flag's help.
func RegisterViewFlags(fs *flag.FlagSet, getenv func(string) string, offHint string) *ViewFlags {
	return &ViewFlags{
		fs: fs,
		addr: fs.String("ui", DefaultViewAddr, "serve the web view of request logs on `address`; "+
			"without a host it listens on 127.0.0.1 only, give 0.0.0.0:PORT to listen on every interface"+offHint),
		traceURL: fs.String("trace-url", getenv(EnvTraceURL), "link trace IDs to a trace UI: a `URL` in which "+webview.TraceIDPlaceholder+
			" stands for the trace ID, e.g. http://localhost:16686/trace/"+webview.TraceIDPlaceholder+" (default $"+EnvTraceURL+")"),
		maxRequests: fs.Int("max-requests", webview.DefaultMaxRequests, "the web view keeps the newest `n` request logs (and at most 64 MiB of them)"),
		allowReplay: fs.Bool("allow-replay", false, "serve a replay button on each event's page: it re-produces the event with a new event ID "+
			"and a relayer-replay-of header, each replay logged to standard error"),
	}
}

// AllowReplay reports whether -allow-replay was given: the command then
// passes webview.WithReplay to NewView.
func (f *ViewFlags) AllowReplay() bool { return *f.allowReplay }

// Addr is the -ui address; "" means no view.
func (f *ViewFlags) Addr() string { return strings.TrimSpace(*f.addr) }

// AddrGiven reports whether -ui was on the command line.
func (f *ViewFlags) AddrGiven() bool {
	given := false
	f.fs.Visit(func(fl *flag.Flag) { given = given || fl.Name == "ui" })
	return given
}

// NewView returns the View the flags describe, with opts after them, or a
// UsageError naming the flag that is wrong.
func (f *ViewFlags) NewView(opts ...webview.Option) (*webview.View, error) {
	if *f.maxRequests < 1 {
		return nil, Usagef("-max-requests %d: want 1 or more", *f.maxRequests)
	}
	if t := *f.traceURL; t != "" {
		if err := webview.CheckTraceURL(t); err != nil {
			return nil, Usagef("-trace-url (or $%s): %v", EnvTraceURL, err)
		}
	}
	v, err := webview.New(append([]webview.Option{webview.WithMaxRequests(*f.maxRequests), webview.WithTraceURL(*f.traceURL)}, opts...)...)
	if err != nil {
		return nil, UsageError{err.Error()}
	}
	return v, nil
}
