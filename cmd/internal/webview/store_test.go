package webview

import (
	"slices"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

// The view keeps the request logs that arrived last, whatever dates they
// claim, and lists them newest date first.
func TestListKeepsTheRequestLogsThatArrivedLast(t *testing.T) {
	v := newView(t, WithMaxRequests(3))
	// Arrival order is not date order: partitions interleave.
	for i, startMS := range []float64{300, 100, 500, 200, 400} {
		add(t, v, message(t, "logging", int32(i%2), int64(i), httpLog("GET", "/r", 200, startMS, "")))
	}
	// The last three to arrive are offsets 2, 3, 4 (dates 500, 200, 400).
	want := []string{"/requests/logging/0/2", "/requests/logging/0/4", "/requests/logging/1/3"}
	if _, body := get(t, v, "/"); !slices.Equal(rowURLs(body), want) {
		t.Errorf("rows %q, want %q (newest first)", rowURLs(body), want)
	}
	for _, gone := range []string{"/requests/logging/0/0", "/requests/logging/1/1"} {
		if code, body := get(t, v, gone); code != 404 || !strings.Contains(body, "the view keeps the newest 3") {
			t.Errorf("GET %s: %d, want 404 saying what the view keeps", gone, code)
		}
	}
	// An old date arriving last is held, and listed by its date.
	add(t, v, message(t, "logging", 0, 9, httpLog("GET", "/old", 200, 50, "")))
	if n, _ := v.store.counts(); n != 3 {
		t.Errorf("%d request logs held, want 3", n)
	}
	want = []string{"/requests/logging/0/4", "/requests/logging/1/3", "/requests/logging/0/9"}
	if _, body := get(t, v, "/"); !slices.Equal(rowURLs(body), want) {
		t.Errorf("rows %q, want %q", rowURLs(body), want)
	}
}

func TestRequestLogsAreBoundedInBytes(t *testing.T) {
	v := newView(t)
	v.store.maxRequestBytes = 10_000
	big := strings.Repeat("x", 3000)
	for i := range 10 {
		add(t, v, message(t, "logging", 0, int64(i), httpLog("GET", "/"+big, 200, float64(i), "")))
	}
	n, _ := v.store.counts()
	if n < 1 || n > 2 {
		t.Errorf("%d request logs of about 6 kB each held within 10 kB", n)
	}
	if v.store.requestBytes > v.store.maxRequestBytes {
		t.Errorf("%d bytes held, bound %d", v.store.requestBytes, v.store.maxRequestBytes)
	}
}

func TestEventsAreBounded(t *testing.T) {
	v := newView(t, WithMaxEvents(2))
	ids := []string{"e1", "e2", "e3"}
	for i, id := range ids {
		add(t, v, message(t, "orders", 0, int64(i), wire.Event{Source: "shop", EventType: "order_created", Timestamp: at(0)},
			tail.Header{Key: wire.EventIDHeader, Value: []byte(id)}))
	}
	if _, ok := v.store.event("e1"); ok {
		t.Error("the oldest event is still held beyond WithMaxEvents(2)")
	}
	for _, id := range ids[1:] {
		if code, _ := get(t, v, "/events/"+id); code != 200 {
			t.Errorf("GET /events/%s: %d", id, code)
		}
	}
	if code, body := get(t, v, "/events/e1"); code != 404 || !strings.Contains(body, "not held") {
		t.Errorf("GET /events/e1: %d, want 404 saying it is not held", code)
	}
}

func TestAddIgnoresWhatItCannotShow(t *testing.T) {
	v := newView(t, WithMaxEvents(0))
	event := message(t, "orders", 0, 0, wire.Event{EventType: "order_created", Timestamp: at(0)},
		tail.Header{Key: wire.EventIDHeader, Value: []byte("e1")})
	noID := message(t, "orders", 0, 1, wire.Event{EventType: "order_created", Timestamp: at(0)})
	other := tail.Message{Topic: "misc", Value: []byte("plain text")}
	tail.Decode(&other, other.Value)
	for name, m := range map[string]tail.Message{"event with WithMaxEvents(0)": event, "event without ID": noID, "not ours": other} {
		if v.Add(m) {
			t.Errorf("%s: held", name)
		}
	}
	// The same record twice (a consumer restarted) is listed once.
	l := message(t, "logging", 0, 0, httpLog("GET", "/once", 200, 0, ""))
	add(t, v, l, l)
	if n, _ := v.store.counts(); n != 1 {
		t.Errorf("%d request logs held after adding one record twice", n)
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		wantErr string
	}{
		{"defaults", nil, ""},
		{"nil option", []Option{nil}, ""},
		{"no requests", []Option{WithMaxRequests(0)}, "WithMaxRequests(0)"},
		{"negative events", []Option{WithMaxEvents(-1)}, "WithMaxEvents(-1)"},
		{"Jaeger", []Option{WithTraceURL("http://localhost:16686/trace/{trace_id}")}, ""},
		{"empty trace URL", []Option{WithTraceURL("")}, ""},
		{"no placeholder", []Option{WithTraceURL("http://localhost:16686/trace/")}, "{trace_id}"},
		{"not http", []Option{WithTraceURL("javascript:alert('{trace_id}')")}, "absolute http or https"},
		{"relative", []Option{WithTraceURL("/trace/{trace_id}")}, "absolute http or https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts...)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("New: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
