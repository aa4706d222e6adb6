package webview

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Default bounds of what a [View] holds in memory. The request logs and
// event messages that arrived first go first (never by the date a record
// claims: any producer can forge it).
const (
	DefaultMaxRequests = 1000   // request logs
	DefaultMaxEvents   = 10_000 // event messages
	// maxRequestBytes and maxEventBytes bound the bytes of the kept
	// messages whatever their count: a request log may be close to 1 MB.
	maxRequestBytes = 64 << 20
	maxEventBytes   = 32 << 20
)

// TraceIDPlaceholder is the part of a trace URL template that
// [WithTraceURL] replaces with a request's trace ID.
const TraceIDPlaceholder = "{trace_id}"

type config struct {
	maxRequests, maxEvents         int
	maxRequestBytes, maxEventBytes int
	traceURL                       string
	replay                         *kgo.Client // nil: no replay
	replayLog                      io.Writer
	from                           string
}

func newConfig(opts []Option) (config, error) {
	c := config{
		maxRequests:     DefaultMaxRequests,
		maxEvents:       DefaultMaxEvents,
		maxRequestBytes: maxRequestBytes,
		maxEventBytes:   maxEventBytes,
	}
	for _, o := range opts {
		if o != nil {
			c = o.apply(c)
		}
	}
	if c.replay != nil && c.replayLog == nil {
		c.replayLog = os.Stderr
	}
	if c.maxRequests < 1 {
		return c, fmt.Errorf("webview: WithMaxRequests(%d): want at least 1", c.maxRequests)
	}
	if c.maxEvents < 0 {
		return c, fmt.Errorf("webview: WithMaxEvents(%d): want 0 or more", c.maxEvents)
	}
	if c.traceURL != "" {
		if err := CheckTraceURL(c.traceURL); err != nil {
			return c, fmt.Errorf("webview: %w", err)
		}
	}
	return c, nil
}

// CheckTraceURL accepts absolute http and https URLs holding
// TraceIDPlaceholder.
func CheckTraceURL(t string) error {
	if !strings.Contains(t, TraceIDPlaceholder) {
		return fmt.Errorf("trace URL %q has no %s to replace with the trace ID", t, TraceIDPlaceholder)
	}
	u, err := url.Parse(strings.ReplaceAll(t, TraceIDPlaceholder, "0"))
	if err != nil {
		return fmt.Errorf("trace URL %q: %w", t, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("trace URL %q: want an absolute http or https URL such as http://localhost:16686/trace/%s", t, TraceIDPlaceholder)
	}
	return nil
}

// Option configures a [View].
type Option interface {
	apply(config) config
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

// WithMaxRequests sets how many request logs the view keeps, those that
// arrived last; the list shows them newest date first, at most 1,000 on a
// page (a search narrows them, the export holds every match; a date in
// the future of its arrival is shown as forged and listed at its
// arrival). The default is [DefaultMaxRequests];
// whatever the count, the kept request logs hold at most 64 MiB. [New]
// refuses a bound below 1.
func WithMaxRequests(n int) Option {
	return optionFunc(func(c config) config { c.maxRequests = n; return c })
}

// WithMaxEvents sets how many event messages the view keeps, the newest by
// arrival, to show them behind the event lines of request logs. The default
// is [DefaultMaxEvents]; whatever the count, the kept events hold at most
// 32 MiB. 0 keeps none: event lines are shown without their message. [New]
// refuses a negative bound.
func WithMaxEvents(n int) Option {
	return optionFunc(func(c config) config { c.maxEvents = n; return c })
}

// WithTraceURL links trace IDs to a trace UI: template is an http or https
// URL in which [TraceIDPlaceholder] stands for the trace ID, such as
// "http://localhost:16686/trace/{trace_id}" for Jaeger or
// "http://localhost:3000/explore?left=...{trace_id}..." for Grafana Tempo.
// The default, and "", shows trace IDs without a link. [New] refuses a
// template that is not such a URL.
func WithTraceURL(template string) Option {
	return optionFunc(func(c config) config { c.traceURL = template; return c })
}

// WithReplay lets an event's page re-produce the event through cl (see
// the package documentation's Replay section), writing one line per
// replay to log (nil: standard error) with the original and the new
// event IDs. The default, and WithReplay(nil, …), serves no replay
// button, and the replay endpoint answers 403. With an idempotent cl
// (franz-go's default) a "Replay failed" page means nothing was written;
// with kgo.DisableIdempotentWrite, a replay timed out after its request was
// sent may have been written.
func WithReplay(cl *kgo.Client, log io.Writer) Option {
	return optionFunc(func(c config) config { c.replay, c.replayLog = cl, log; return c })
}

// WithHistory says where reading started ("the last 1h", "offset 120 of
// every partition"), for the pages' header, next to the date of the
// oldest request log held. The default, "", says nothing.
func WithHistory(from string) Option {
	return optionFunc(func(c config) config { c.from = from; return c })
}
