package webview

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/wire"
)

// The request logs of a trace through three services are one waterfall:
// each root under the request log of the service that called it, found
// by its parent span ID (the caller's root span, or a span inside the
// caller's request), events linked at their time.
func TestTraceIsOneWaterfallAcrossServices(t *testing.T) {
	const trace = "11112222333344445555666677778888"
	v := newView(t)
	logOf := func(source, path string, startMS, ms float64, spanID, parent string, lines ...wire.Line) wire.RequestLog {
		l := httpLog("GET", path, 200, startMS, trace, lines...)
		l.Source, l.RequestTime, l.SpanID, l.ParentSpanID = source, ms, spanID, parent
		return l
	}
	add(t, v,
		// Read in another order than they happened.
		message(t, "logging", 0, 0, logOf("stock", "/stock/7", 20, 10, "bbbb000000000003", "bbbb000000000002")),
		message(t, "logging", 0, 1, logOf("orders", "/orders/7", 10, 50, "bbbb000000000002", "cccc000000000009",
			wire.Line{EventType: "order_viewed", Payload: json.RawMessage(`{}`), Timestamp: at(40), EventID: "ev-viewed", Outbox: true})),
		message(t, "logging", 0, 2, logOf("gateway", "/api/orders/7", 0, 100, "aaaa000000000001", "")),
		message(t, "logging", 0, 3, httpLog("GET", "/elsewhere", 200, 5, "99992222333344445555666677778888")),
	)
	code, body := get(t, v, "/traces/"+trace)
	if code != http.StatusOK {
		t.Fatalf("status %d:\n%s", code, body)
	}
	rows := regexp.MustCompile(`<li class="wf-row depth-(\d) [a-z]+" data-span="([0-9a-f]+)"`).FindAllStringSubmatch(body, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[1]+":"+r[2])
	}
	want := []string{"0:aaaa000000000001", "1:bbbb000000000002", "2:bbbb000000000003"}
	if !slices.Equal(got, want) {
		t.Errorf("waterfall rows (depth:span) %q, want %q", got, want)
	}
	for _, s := range []string{`via span cccc000000000009`, `<a class="event" href="/events/ev-viewed">order_viewed</a> <span class="tag outbox">outbox</span>`,
		`<a href="/events/ev-viewed"><circle class="wf-event" cx="40%"`, `x="10%" y="25%" width="50%"`} {
		if !strings.Contains(body, s) {
			t.Errorf("the waterfall lacks %s", s)
		}
	}
	if strings.Contains(body, "/elsewhere") {
		t.Error("a request log of another trace is on the waterfall")
	}
	if code, _ := get(t, v, "/traces/00000000000000000000000000000001"); code != http.StatusNotFound {
		t.Errorf("a trace not held: status %d, want 404", code)
	}
}

// Parent span IDs that make a cycle (forged data) still make a page: the
// cycle is cut.
func TestTraceWithACycleOfParentsIsCut(t *testing.T) {
	const trace = "11112222333344445555666677778888"
	v := newView(t)
	a := httpLog("GET", "/a", 200, 0, trace)
	a.SpanID, a.ParentSpanID = "a000000000000001", "b000000000000002"
	b := httpLog("GET", "/b", 200, 1, trace)
	b.SpanID, b.ParentSpanID = "b000000000000002", "a000000000000001"
	add(t, v, message(t, "logging", 0, 0, a), message(t, "logging", 0, 1, b))
	code, body := get(t, v, "/traces/"+trace)
	if code != http.StatusOK || strings.Count(body, `class="wf-row`) != 2 {
		t.Errorf("status %d, %d rows, want 200 and 2:\n%s", code, strings.Count(body, `class="wf-row`), body)
	}
}
