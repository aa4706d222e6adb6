package webview

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

// The list's search finds a request by its request ID, by the ID of an
// event it emitted, by its trace, and by text in its lines' payloads;
// the search stays in the URL that the live updates and the export use.
func TestSearchFindsTheRequest(t *testing.T) {
	v := shop(t)
	add(t, v, message(t, "logging", 1, 5, func() wire.RequestLog {
		l := httpLog("POST", "/checkout", 500, 60, trace2,
			wire.Line{EventType: "payment_failed", Payload: json.RawMessage(`{"order_id":42,"reason":"card declined"}`), Timestamp: at(61), EventID: "ev-pay"})
		l.RequestID = "req-7f3a"
		return l
	}()))
	tests := []struct {
		q    string
		want []string
	}{
		{"request=req-7f3a", []string{"/requests/logging/1/5"}},
		{"request=req-7", []string{"/requests/logging/1/5"}},
		{"event=ev-1", []string{"/requests/logging/0/0"}},
		{"trace=" + trace1, []string{"/requests/logging/0/1", "/requests/logging/0/0"}},
		{`"card declined"`, []string{"/requests/logging/1/5"}},
		{"looked", []string{"/requests/logging/0/0"}},
		{"payload.order_id=42", []string{"/requests/logging/1/5"}},
		{"level=error status=5xx", []string{"/requests/logging/1/1"}},
		{"method=get dur>=10ms path=/orders", []string{"/requests/logging/0/1", "/requests/logging/0/0"}},
		{"nothing-like-this", nil},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			code, body := get(t, v, "/?q="+url.QueryEscape(tt.q))
			if code != http.StatusOK {
				t.Fatalf("status %d:\n%s", code, body)
			}
			if got := rowURLs(body); !slices.Equal(got, tt.want) {
				t.Errorf("rows %q, want %q", got, tt.want)
			}
			if !strings.Contains(body, `value="`+htmlAttr(tt.q)+`"`) {
				t.Errorf("the search box does not show the search %q", tt.q)
			}
			if !strings.Contains(body, `href="/export/requests?q=`+htmlAttr(url.QueryEscape(tt.q))+`"`) {
				t.Errorf("the export link does not carry the search")
			}
		})
	}
}

// htmlAttr escapes s as html/template writes it in an attribute.
func htmlAttr(s string) string {
	return strings.NewReplacer(`"`, "&#34;", "&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&#39;", "+", "&#43;").Replace(s)
}

// A malformed search is a 400 whose page says what is wrong.
func TestMalformedSearchIsExplained(t *testing.T) {
	v := shop(t)
	tests := []struct{ target, want string }{
		{"/?q=" + url.QueryEscape("stauts=500"), `unknown key &#34;stauts&#34;`},
		{"/?q=" + url.QueryEscape("dur>=soon"), "want a duration such as 250ms"},
		{"/?q=" + url.QueryEscape(`"open`), "is not closed"},
		{"/events?topic=order_viewed&q=" + url.QueryEscape("status=5xx"), `unknown key &#34;status&#34;; the keys of events are`},
		{"/events?topic=nope", `topic &#34;nope&#34;: no event of it is held`},
		{"/export/requests?q=" + url.QueryEscape("time>=tomorrow"), "want a time such as"},
		{"/export/events?topic=order_viewed&q=" + url.QueryEscape("payload.=1"), "want payload.FIELD"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			code, body := get(t, v, tt.target)
			if code != http.StatusBadRequest && code != http.StatusNotFound {
				t.Errorf("status %d, want 400 or 404", code)
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("the page does not say %q:\n%s", tt.want, body)
			}
		})
	}
}

// The event browser lists a topic's events newest first and filters them
// by a payload field, subtype, key and text.
func TestEventBrowserFiltersEvents(t *testing.T) {
	v := newView(t)
	for i, e := range []struct{ key, subtype, payload string }{
		{"o-41", "web", `{"order_id":41}`},
		{"o-42", "web", `{"order_id":42,"note":"gift"}`},
		{"o-43", "api", `{"order_id":43}`},
	} {
		add(t, v, message(t, "order_created", 0, int64(i), wire.Event{Source: "shop", EventType: "order_created", EventSubtype: e.subtype,
			Payload: json.RawMessage(e.payload), Timestamp: at(float64(i))}, tail.Header{Key: wire.EventIDHeader, Value: []byte("ev-" + e.key)}))
		v.store.events["ev-"+e.key].Key = []byte(e.key)
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"", []string{"/events/ev-o-43", "/events/ev-o-42", "/events/ev-o-41"}},
		{"payload.order_id=42", []string{"/events/ev-o-42"}},
		{"subtype=web", []string{"/events/ev-o-42", "/events/ev-o-41"}},
		{"key=o-43", []string{"/events/ev-o-43"}},
		{"event=ev-o-41", []string{"/events/ev-o-41"}},
		{"gift", []string{"/events/ev-o-42"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			code, body := get(t, v, "/events?topic=order_created&q="+url.QueryEscape(tt.q))
			if code != http.StatusOK {
				t.Fatalf("status %d:\n%s", code, body)
			}
			if got := rowURLs(body); !slices.Equal(got, tt.want) {
				t.Errorf("rows %q, want %q", got, tt.want)
			}
		})
	}
	if _, body := get(t, v, "/events"); !strings.Contains(body, `<a href="/events?topic=order_created">order_created</a></td><td class="num">3</td>`) {
		t.Errorf("the topic index does not list order_created with 3 events:\n%s", body)
	}
}

// The export serves every match as NDJSON, each record's value as written.
func TestExportServesTheRecordsAsWritten(t *testing.T) {
	v := shop(t)
	w := serve(t, v, http.MethodGet, "/export/requests?status=2xx&path=/orders", nil)
	if ct := w.Header().Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("Content-Type %q", ct)
	}
	var want []byte
	for _, id := range []requestID{{"logging", 1, 0}, {"logging", 0, 0}} { // newest first
		r, _ := v.store.request(id)
		want = append(append(want, r.msg.Value...), '\n')
	}
	if got := w.Body.Bytes(); string(got) != string(want) {
		t.Errorf("export:\n%s\nwant\n%s", got, want)
	}
	w = serve(t, v, http.MethodGet, "/export/events?topic=order_viewed", nil)
	m, _ := v.store.event("ev-1")
	if got := w.Body.String(); got != string(m.Value)+"\n" {
		t.Errorf("event export %q, want %q", got, m.Value)
	}
	// An indented value is one line.
	add(t, v, message(t, "pretty", 0, 0, json.RawMessage("{\n  \"event_type\": \"x\",\n  \"timestamp\": \"2026-11-29T10:00:00Z\"\n}"),
		tail.Header{Key: wire.EventIDHeader, Value: []byte("ev-pretty")}))
	if got := serve(t, v, http.MethodGet, "/export/events?topic=pretty", nil).Body.String(); got != `{"event_type":"x","timestamp":"2026-11-29T10:00:00Z"}`+"\n" {
		t.Errorf("an indented value exports as %q", got)
	}
}
