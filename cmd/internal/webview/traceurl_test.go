package webview

import (
	"strings"
	"testing"
)

// A trace ID is message data: one that is not a trace ID must not steer
// the trace UI link elsewhere on that host (or anywhere).
func TestTraceLinkOnlyForTraceIDs(t *testing.T) {
	v := newView(t, WithTraceURL("http://localhost:16686/trace/{trace_id}"))
	add(t, v, message(t, "logging", 0, 0, httpLog("GET", "/x", 200, 0, "../../api/admin/delete?all=1#")))
	_, body := get(t, v, "/requests/logging/0/0")
	if strings.Contains(body, `href="http://localhost:16686/trace/..`) {
		t.Errorf("the trace link takes the request log's trace_id as a path:\n%s", body)
	}
	if !strings.Contains(body, "../../api/admin/delete?all=1#") {
		t.Errorf("the trace ID is not shown as text")
	}

	// A real trace ID, in either case, is linked.
	const id = "4BF92F3577B34DA6A3CE929D0E0E4736"
	add(t, v, message(t, "logging", 0, 1, httpLog("GET", "/y", 200, 1, id)))
	if _, body := get(t, v, "/requests/logging/0/1"); !strings.Contains(body, `href="http://localhost:16686/trace/`+id+`"`) {
		t.Errorf("the trace ID %s is not linked:\n%s", id, body)
	}
}
