package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
)

// The web view serves what a service writes through the dev broker.
func TestWebView(t *testing.T) {
	brokers, out, _ := devBroker(t, "-tail=false", "-ui", "127.0.0.1:0", "-trace-url", "http://localhost:16686/trace/{trace_id}")
	url := out.WaitFor(t, regexp.MustCompile(`web view of request logs: (http://127\.0\.0\.1:\d+/)\n`), 20*time.Second)[1]

	tp := testkit.Service(t, brokers, "dev-test")
	h := bridge.HTTPHandler(http.NotFoundHandler(), bridge.WithTracerProvider(tp))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/orders/7", nil))
	if err := tp.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}

	row := regexp.MustCompile(`<tr data-sort="[^"]*" data-href="(/requests/logging/\d+/\d+)" class="client">`)
	var list string
	deadline := time.Now().Add(20 * time.Second)
	for !row.MatchString(list) {
		if time.Now().After(deadline) {
			t.Fatalf("the request log is not listed within 20s:\n%s", list)
		}
		time.Sleep(50 * time.Millisecond)
		list = testkit.Get(t, url+"?status=4xx")
	}
	if !strings.Contains(list, `<span class="path">/orders/7</span>`) {
		t.Errorf("the row lacks the path:\n%s", list)
	}
	detail := testkit.Get(t, strings.TrimSuffix(url, "/")+row.FindStringSubmatch(list)[1])
	if !regexp.MustCompile(`<a href="http://localhost:16686/trace/[0-9a-f]{32}"`).MatchString(detail) {
		t.Errorf("the detail view does not link the trace:\n%s", detail)
	}
}

func TestWebViewOff(t *testing.T) {
	_, out, stop := devBroker(t, "-tail=false", "-ui", "")
	stop()
	if strings.Contains(out.String(), "web view") {
		t.Errorf("-ui \"\" still serves the web view:\n%s", out.String())
	}
}

func TestWebViewRefusals(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	tests := []struct {
		name    string
		args    []string
		wantErr string
		usage   bool
	}{
		{"trace URL without placeholder", []string{"-trace-url", "http://localhost:16686/trace/"}, "-trace-url", true},
		{"trace URL not http", []string{"-trace-url", "file:///{trace_id}"}, "-trace-url", true},
		{"no request logs", []string{"-max-requests", "0"}, "-max-requests 0", true},
		{"bad address", []string{"-ui", "9080"}, `web view address "9080"`, false},
		{"address in use", []string{"-ui", taken.Addr().String()}, "address already in use", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			var out bytes.Buffer
			err := run(ctx, append([]string{"-port", "0", "-tail=false"}, tt.args...), &out, &out)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || errors.As(err, new(cli.UsageError)) != tt.usage {
				t.Errorf("run: %v (usage error: %v), want an error containing %q (usage error: %v)", err, errors.As(err, new(cli.UsageError)), tt.wantErr, tt.usage)
			}
			if ctx.Err() != nil {
				t.Error("run waited for its context instead of failing")
			}
		})
	}
}

// When the default port is taken, the broker still runs, without the view.
func TestWebViewDefaultPortTaken(t *testing.T) {
	if ln, err := net.Listen("tcp", "127.0.0.1"+cli.DefaultViewAddr); err == nil {
		defer ln.Close() // else it is taken already
	}
	_, out, stop := devBroker(t, "-tail=false")
	out.WaitFor(t, regexp.MustCompile(`relayer-dev: no web view \(.*address already in use\); -ui :PORT serves it elsewhere\n`), 20*time.Second)
	stop()
}

// A web view flag that cannot work is refused before the broker starts:
// nothing is printed, in particular no KAFKA_BROKERS line to export.
func TestWebViewFlagsCheckedFirst(t *testing.T) {
	for _, args := range [][]string{
		{"-trace-url", "http://localhost:16686/trace/"},
		{"-max-requests", "0"},
	} {
		var out bytes.Buffer
		_, err := parseArgs(args, &out, func(string) string { return "" }, false)
		if !errors.As(err, new(cli.UsageError)) || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("parseArgs(%q): %v, want a usage error naming %s", args, err, args[0])
		}
		out.Reset()
		err = run(t.Context(), append([]string{"-port", "0", "-tail=false"}, args...), &out, &out)
		if !errors.As(err, new(cli.UsageError)) || out.Len() > 0 {
			t.Errorf("run(%q): %v, output %q; want a usage error and no output", args, err, out.String())
		}
	}
}

// The dev broker's view searches request logs, browses event topics, and
// with -allow-replay offers each event's replay.
func TestWebViewSearchesAndReplays(t *testing.T) {
	brokers, out, _ := devBroker(t, "-tail=false", "-ui", "127.0.0.1:0", "-allow-replay")
	url := out.WaitFor(t, regexp.MustCompile(`web view of request logs: (http://127\.0\.0\.1:\d+/)\n`), 20*time.Second)[1]
	tp := testkit.Service(t, brokers, "dev-test")
	h := bridge.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = bridge.Emit(r.Context(), "order_created", "web", map[string]int{"order_id": 7})
	}), bridge.WithTracerProvider(tp))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/orders", nil))
	if err := tp.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitPage := func(target, want string) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			page := testkit.Get(t, target)
			if strings.Contains(page, want) {
				return page
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s does not show %q within 20s:\n%s", target, want, page)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitPage(url+"?q=payload.order_id%3D7", `<span class="path">/orders</span>`)
	events := waitPage(url+"events?topic=order_created&q=payload.order_id%3D7", `data-href="/events/`)
	eventURL := regexp.MustCompile(`data-href="(/events/[^"]+)"`).FindStringSubmatch(events)[1]
	waitPage(strings.TrimSuffix(url, "/")+eventURL, `id="replay"`)
}
