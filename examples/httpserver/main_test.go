package main

import (
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
	"github.com/otelrelayer/otelrelayer/examples/internal/demotest"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// TestServe sends the program's calls through otelhttp and
// bridge.HTTPHandler and checks each request log field by field.
func TestServe(t *testing.T) {
	brokers := otelrelayertest.Cluster(t)
	exchanges, err := serve(t.Context(), brokers)
	if err != nil {
		t.Fatal(err)
	}
	logs := demotest.ReadRequestLogs(t, brokers)
	// One request log per request: bridge.HTTPHandler enriched otelhttp's
	// span instead of starting a second root.
	if len(logs) != len(calls) {
		t.Errorf("%d request logs for %d requests", len(logs), len(calls))
	}
	byID := map[string][]wire.RequestLog{}
	for _, l := range logs {
		byID[l.RequestID] = append(byID[l.RequestID], l)
	}
	sent := map[string]exchange{}
	for _, e := range exchanges {
		sent[e.header.Get("X-Request-ID")] = e
	}

	tests := []struct {
		name, requestID, method, path, query string
		remoteAddr, forwardedFor             string
		status                               int
		lines                                []string
	}{
		{"plain", "req-1", "GET", "/hello", "name=ada", "127.0.0.1", "", 200,
			[]string{"event greeting_sent", "info"}},
		{"forwarded without X-Real-IP keeps the peer", "req-2", "GET", "/hello", "name=grace", "127.0.0.1", "198.51.100.7, 10.0.0.2", 200,
			[]string{"event greeting_sent", "info"}},
		{"X-Real-IP wins", "req-3", "GET", "/hello", "", "203.0.113.9", "203.0.113.9", 200,
			[]string{"event greeting_sent", "info"}},
		{"streamed", "req-4", "GET", "/stream", "chunks=3", "127.0.0.1", "", 200,
			[]string{"info"}},
		{"panic", "req-5", "POST", "/panic", "", "127.0.0.1", "", 500,
			[]string{"info", "error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := byID[tt.requestID]
			if len(got) != 1 {
				t.Fatalf("%d request logs with request_id %q, want 1", len(got), tt.requestID)
			}
			l := got[0]
			demotest.CheckString(t, "source", l.Source, "httpserver")
			demotest.CheckString(t, "user_agent", l.UserAgent, userAgent)
			demotest.CheckString(t, "method", l.Method, tt.method)
			demotest.CheckString(t, "path", l.Path, tt.path)
			demotest.CheckString(t, "query_string", l.QueryString, tt.query)
			demotest.CheckString(t, "remote_addr", l.RemoteAddr, tt.remoteAddr)
			demotest.CheckString(t, "x_forwarded_for", l.XForwardedFor, tt.forwardedFor)
			if l.Status != tt.status {
				t.Errorf("status = %d, want %d", l.Status, tt.status)
			}
			// The bytes the handler wrote are the bytes the client read.
			if e := sent[tt.requestID]; l.ContentLength != e.read {
				t.Errorf("content_length = %d, the client read %d bytes", l.ContentLength, e.read)
			}
			if l.RequestTime <= 0 {
				t.Errorf("request_time = %v, want > 0", l.RequestTime)
			}
			if l.Service != "" || l.ServiceTime != 0 {
				t.Errorf("an HTTP request log has service %q, service_time %v", l.Service, l.ServiceTime)
			}
			if len(l.TraceID) != 32 || len(l.SpanID) != 16 {
				t.Errorf("trace_id %q, span_id %q", l.TraceID, l.SpanID)
			}
			demotest.CheckString(t, "lines", strings.Join(demo.LineKinds(l), ", "), strings.Join(tt.lines, ", "))
		})
	}

	t.Run("streamed body has no Content-Length", func(t *testing.T) {
		e := sent["req-4"]
		want := int64(len(chunk(0)) + len(chunk(1)) + len(chunk(2)))
		if e.declared != -1 || e.read != want {
			t.Errorf("Content-Length %d, %d bytes read; want none and %d", e.declared, e.read, want)
		}
	})
	t.Run("panic becomes one error line", func(t *testing.T) {
		if l := byID["req-5"]; len(l) == 1 {
			var messages []string
			for _, p := range demotest.ErrorLines(t, l[0]) {
				messages = append(messages, p["exception.message"])
			}
			if len(messages) != 1 || !strings.Contains(messages[0], "stock service unavailable") {
				t.Errorf("error lines with exception.message %q, want one holding the panic value", messages)
			}
		}
		if e := sent["req-5"]; e.err == nil {
			t.Errorf("the client got %d, want the connection dropped by the panic", e.status)
		}
	})
}
