package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// pipeline writes request logs to the embedded broker, as a service would.
type pipeline struct {
	tp      *sdktrace.TracerProvider
	handler http.Handler
}

func newPipeline(t *testing.T, brokers []string) *pipeline {
	t.Helper()
	tp := testkit.Service(t, brokers, "tail-test")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		_ = bridge.Log(r.Context(), "info", "order looked up")
	})
	mux.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) {
		_ = bridge.Log(r.Context(), "error", "boom")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	return &pipeline{tp: tp, handler: bridge.HTTPHandler(mux,
		bridge.WithTracerProvider(tp), bridge.WithHTTPPropagator(propagation.TraceContext{}))}
}

// get serves a request that continues the trace traceID.
func (p *pipeline) get(path, traceID string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	p.handler.ServeHTTP(httptest.NewRecorder(), req)
}

// job runs a root span that is not HTTP.
func (p *pipeline) job(ctx context.Context, name string) {
	ctx, span := p.tp.Tracer("test").Start(ctx, name)
	_ = bridge.Log(ctx, "info", "report sent")
	span.End()
}

const (
	trace200 = "4bf92f3577b34da6a3ce929d0e0e4736"
	trace503 = "0af7651916cd43dd8448eb211c80319c"
)

// runTail runs the command with args against brokers, for at most 30
// seconds, and returns its output.
func runTail(t *testing.T, brokers []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	args = append([]string{"-brokers", strings.Join(brokers, ","), "-color", "never"}, args...)
	if err := run(ctx, args, &stdout, &stderr); err != nil {
		t.Fatalf("relaytail %q: %v\n%s", args, err, stderr.String())
	}
	if ctx.Err() != nil {
		t.Fatalf("relaytail %q did not stop within 30s; it printed:\n%s\nstderr:\n%s", args, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func TestFollowTheEmbeddedBroker(t *testing.T) {
	brokers := otelrelayertest.Cluster(t)
	p := newPipeline(t, brokers)
	p.get("/orders/7?verbose=1", trace200)
	p.get("/fail", trace503) // its log line, and an error line for the 5xx status
	p.job(t.Context(), "nightly-report")
	// Shutdown writes the request logs and flushes them to the broker.
	if err := p.tp.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}

	const clock, duration = `\d\d:\d\d:\d\d\.\d{3}`, ` +[-0-9.]+(µs|ms|s)`
	tests := []struct {
		name string
		args []string
		want []string // a regular expression per output line, in order
	}{
		{
			// In time order, whatever partitions they are on: a window
			// wide enough that a partition fetched late on a loaded
			// machine still falls inside it.
			name: "every request log",
			args: []string{"-n", "3", "-window", "3s"},
			want: []string{
				`^` + clock + `  200` + duration + `  GET /orders/7\?verbose=1 \(/orders/\{id\}\)  1 line  ` + trace200 + `$`,
				`^` + clock + `  503` + duration + `  GET /fail  2 lines \(2 errors\)  ` + trace503 + `$`,
				`^` + clock + `  nightly-report` + duration + `  1 line  [0-9a-f]{32}$`,
			},
		},
		{
			name: "failed requests",
			args: []string{"-status", "5xx", "-n", "1"},
			want: []string{`^` + clock + `  503` + duration + `  GET /fail  2 lines \(2 errors\)  ` + trace503 + `$`},
		},
		{
			name: "one trace, verbose",
			args: []string{"-trace", trace200[:8], "-v", "-n", "1"},
			want: []string{
				`^` + clock + `  200` + duration + `  GET /orders/7\?verbose=1 \(/orders/\{id\}\)  1 line  ` + trace200 + `$`,
				`^    source=tail-test span_id=[0-9a-f]{16} remote_addr=192\.0\.2\.1 route=/orders/\{id\}$`,
				`^ +\+[0-9.]+(µs|ms)  info     order looked up$`,
			},
		},
		{
			name: "path prefix",
			args: []string{"-path", "/orders/", "-n", "1"},
			want: []string{`^` + clock + `  200` + duration + `  GET /orders/7\?verbose=1 \(/orders/\{id\}\)  1 line  ` + trace200 + `$`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runTail(t, brokers, tt.args...)
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(tt.want), out)
			}
			for i, re := range tt.want {
				if !regexp.MustCompile(re).MatchString(lines[i]) {
					t.Errorf("line %d %q does not match %s", i+1, lines[i], re)
				}
			}
		})
	}
}

func TestFollowOnlyNewRequestLogs(t *testing.T) {
	brokers := otelrelayertest.Cluster(t)
	p := newPipeline(t, brokers)
	p.get("/orders/1", trace200)
	if err := p.tp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Record timestamps have millisecond resolution: a tail starting in
	// the millisecond the old request log was stamped in reads it too.
	time.Sleep(10 * time.Millisecond)

	// The tail may start reading at any moment: keep serving new requests
	// until it has printed one, then check that it was not the old one.
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	produced := make(chan struct{})
	go func() {
		defer close(produced)
		for i := 2; ctx.Err() == nil; i++ {
			p.get(fmt.Sprintf("/orders/%d", i), fmt.Sprintf("%032x", i))
			_ = p.tp.ForceFlush(ctx)
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	out := runTail(t, brokers, "-from-beginning=false", "-n", "1")
	stop()
	<-produced
	if strings.Contains(out, trace200) || !regexp.MustCompile(`^\S+  200 .* GET /orders/\d+ \(/orders/\{id\}\)  1 line  [0-9a-f]{32}\n$`).MatchString(out) {
		t.Errorf("output %q, want one new request log", out)
	}
}
