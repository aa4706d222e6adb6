package bridge_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// The request of the design's example, as the Python Flask middleware logged it.
func pythonExampleRequest() *http.Request {
	r := httptest.NewRequest("POST", "/root?x=1", strings.NewReader("{}"))
	r.RemoteAddr = "127.0.0.1:50000"
	r.Header.Set("User-Agent", "ua/1")
	r.Header.Set("X-Forwarded-For", "10.0.0.1")
	r.Header.Set("X-Request-ID", "req-1")
	return r
}

func createRoot(w http.ResponseWriter, r *http.Request) {
	_ = bridge.Emit(r.Context(), "entity_created", "root", map[string]any{"id": 10})
	_ = bridge.Log(r.Context(), "info", "created root")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok") // no Content-Length set by the handler
}

func TestHTTPHandlerMatchesTheFlaskFields(t *testing.T) {
	rec := otelrelayertest.New(t, exporter.WithSource("orders"))
	h := bridge.HTTPHandler(http.HandlerFunc(createRoot), bridge.WithTracerProvider(rec.TracerProvider()))
	h.ServeHTTP(httptest.NewRecorder(), pythonExampleRequest())

	logs := rec.RequestLogs()
	if len(logs) != 1 {
		t.Fatalf("got %d request logs, want 1", len(logs))
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Messages("logging")[0].Value, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"source": "orders", "logging_topic": "logging",
		"user_agent": "ua/1", "method": "POST", "path": "/root", "query_string": "x=1",
		"remote_addr": "127.0.0.1", "x_forwarded_for": "10.0.0.1", "request_id": "req-1",
		"status": 200.0, "content_length": 2.0, "dropped_lines": 0.0,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	for _, k := range []string{"date", "request_time", "trace_id", "span_id"} {
		if got[k] == nil {
			t.Errorf("%s missing", k)
		}
	}
	// Exactly the Python library's keys, and the three added ones every
	// request log has: a request without route or attributes writes no
	// other key.
	for k := range got {
		switch k {
		case "date", "request_time", "lines", "trace_id", "span_id", "dropped_events":
		default:
			if _, ok := want[k]; !ok {
				t.Errorf("key %q is neither the Python library's nor one every request log has", k)
			}
		}
	}
	if rt, _ := got["request_time"].(float64); rt <= 0 {
		t.Errorf("request_time = %v, want > 0 ms", got["request_time"])
	}
	if l := logs[0].Lines; len(l) != 2 || l[0].EventType != "entity_created" || l[1].LogLevel != "info" {
		t.Errorf("lines: %+v", l)
	}
}

func TestHTTPHandlerRemoteAddr(t *testing.T) {
	tests := []struct {
		name, realIP, want string
	}{
		{"peer address", "", "192.0.2.7"},
		{"X-Real-IP wins", "203.0.113.9", "203.0.113.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := otelrelayertest.New(t)
			h := bridge.HTTPHandler(http.NotFoundHandler(), bridge.WithTracerProvider(rec.TracerProvider()))
			r := httptest.NewRequest("GET", "/missing", nil)
			r.RemoteAddr = "192.0.2.7:1234"
			if tt.realIP != "" {
				r.Header.Set("X-Real-IP", tt.realIP)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			l := rec.RequestLogs()[0]
			if l.RemoteAddr != tt.want || l.Status != 404 || l.ContentLength != int64(len("404 page not found\n")) {
				t.Errorf("remote_addr %q status %d content_length %d", l.RemoteAddr, l.Status, l.ContentLength)
			}
		})
	}
}

func TestHTTPHandlerEnrichesAnExistingServerSpan(t *testing.T) {
	rec := otelrelayertest.New(t)
	inner := bridge.HTTPHandler(http.HandlerFunc(createRoot), bridge.WithTracerProvider(rec.TracerProvider()))
	// Stands for otelhttp (tested for real in the examples module): a server
	// span with the request attributes otelhttp records.
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := rec.Tracer().Start(r.Context(), "otelhttp", trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("url.path", r.URL.Path)))
		defer span.End()
		inner.ServeHTTP(w, r.WithContext(ctx))
	})
	outer.ServeHTTP(httptest.NewRecorder(), pythonExampleRequest())
	logs := rec.RequestLogs()
	if len(logs) != 1 {
		t.Fatalf("got %d request logs, want exactly 1 (no second root)", len(logs))
	}
	l := logs[0]
	if l.Service != "" || l.RequestID != "req-1" || l.XForwardedFor != "10.0.0.1" || l.Status != 200 || l.ContentLength != 2 || len(l.Lines) != 2 {
		t.Errorf("enriched request log: %+v", l)
	}
}

func TestHTTPHandlerPanicStillLogs(t *testing.T) {
	rec := otelrelayertest.New(t)
	h := bridge.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = bridge.Log(r.Context(), "info", "about to fail")
		panic("kaboom")
	}), bridge.WithTracerProvider(rec.TracerProvider()))

	func() {
		defer func() {
			if v := recover(); v != "kaboom" {
				t.Errorf("recovered %v, want the handler's panic to continue up the stack", v)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/boom", nil))
	}()

	logs := rec.RequestLogs()
	if len(logs) != 1 {
		t.Fatalf("got %d request logs, want 1", len(logs))
	}
	l := logs[0]
	if l.Status != 500 || len(l.Lines) != 2 || l.Lines[1].LogLevel != "error" || !strings.Contains(string(l.Lines[1].Payload), "panic: kaboom") {
		t.Errorf("request log after panic: status %d lines %+v", l.Status, l.Lines)
	}
}

func TestHTTPHandlerKeepsFlusher(t *testing.T) {
	rec := otelrelayertest.New(t)
	var flushed bool
	h := bridge.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "chunk")
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
			flushed = true
		}
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("ResponseController.Flush: %v", err)
		}
	}), bridge.WithTracerProvider(rec.TracerProvider()))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/stream", nil))
	if !flushed || !w.Flushed {
		t.Error("the wrapped writer lost http.Flusher")
	}
	if l := rec.RequestLogs()[0]; l.ContentLength != 5 {
		t.Errorf("content_length = %d, want 5", l.ContentLength)
	}
}

func TestHTTPHandlerContinuesIncomingTrace(t *testing.T) {
	rec := otelrelayertest.New(t)
	h := bridge.HTTPHandler(http.NotFoundHandler(), bridge.WithTracerProvider(rec.TracerProvider()),
		bridge.WithHTTPPropagator(propagation.TraceContext{}))
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if l := rec.RequestLogs(); len(l) != 1 || l[0].TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" || l[0].SpanID == "00f067aa0ba902b7" {
		t.Fatalf("request logs: %+v", l)
	}
}

// Authorization and Cookie headers never reach a request log.
func TestHTTPHandlerNeverLogsCredentials(t *testing.T) {
	rec := otelrelayertest.New(t)
	h := bridge.HTTPHandler(http.HandlerFunc(createRoot), bridge.WithTracerProvider(rec.TracerProvider()))
	r := pythonExampleRequest()
	r.Header.Set("Authorization", "Bearer top-secret-token")
	r.Header.Set("Cookie", "session=top-secret-cookie")
	h.ServeHTTP(httptest.NewRecorder(), r)
	for _, topic := range rec.Topics() {
		for _, m := range rec.Messages(topic) {
			if strings.Contains(string(m.Value), "top-secret") {
				t.Errorf("%s holds a credential: %s", topic, m.Value)
			}
			for _, h := range m.Headers {
				if strings.Contains(string(h.Value), "top-secret") {
					t.Errorf("%s header %s holds a credential", topic, h.Key)
				}
			}
		}
	}
}
