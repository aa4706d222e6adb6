package webview

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

var base = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// at is base plus ms milliseconds.
func at(ms float64) wire.Time {
	return wire.Time{Time: base.Add(time.Duration(ms * float64(time.Millisecond)))}
}

// message encodes v as the value of a record at topic[partition] offset and
// classifies it as package tail does.
func message(t *testing.T, topic string, partition int32, offset int64, v any, headers ...tail.Header) tail.Message {
	t.Helper()
	b, ok := v.(json.RawMessage)
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	m := tail.Message{Topic: topic, Partition: partition, Offset: offset, Value: b, Headers: headers, Timestamp: base}
	tail.Decode(&m, b)
	return m
}

// httpLog is an HTTP request log that started at base plus startMS.
func httpLog(method, path string, status int, startMS float64, traceID string, lines ...wire.Line) wire.RequestLog {
	if lines == nil {
		lines = []wire.Line{}
	}
	return wire.RequestLog{Source: "shop", LoggingTopic: "logging", Date: at(startMS), Method: method, Path: path,
		Status: status, RequestTime: 12.5, TraceID: traceID, SpanID: "00f067aa0ba902b7", Lines: lines}
}

func newView(t *testing.T, opts ...Option) *View {
	t.Helper()
	v, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func add(t *testing.T, v *View, ms ...tail.Message) {
	t.Helper()
	for _, m := range ms {
		if !v.Add(m) {
			t.Fatalf("Add(%s[%d]@%d) held nothing: %s", m.Topic, m.Partition, m.Offset, m.NotOurs)
		}
	}
}

// get serves target and returns the status and body.
func get(t *testing.T, h http.Handler, target string) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

// rowURLs returns the detail URLs of the list's rows, in page order.
func rowURLs(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `data-href="`)[1:] {
		out = append(out, part[:strings.IndexByte(part, '"')])
	}
	return out
}

// serve serves a request of method to target with the form body (nil:
// none) and returns the recorder.
func serve(t *testing.T, h http.Handler, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
