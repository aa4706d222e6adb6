package webview

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

const (
	trace1  = "4bf92f3577b34da6a3ce929d0e0e4736"
	trace2  = "0af7651916cd43dd8448eb211c80319c"
	hostile = `<script>alert("x")</script><img src=x onerror=alert(1)>`
)

// shop is a view holding a few request logs of every shape, one of them
// full of hostile values, and an event they link to.
func shop(t *testing.T, opts ...Option) *View {
	t.Helper()
	v := newView(t, opts...)
	// An EmitRaw line is any JSON value, as written.
	withRaw := mustJSON(t, httpLog("GET", "/orders/7", 200, 0, trace1,
		wire.Line{LogLevel: "info", Payload: json.RawMessage(`"order looked up"`), Timestamp: at(1.5)},
		wire.Line{Source: "shop", EventType: "order_viewed", EventSubtype: "web", Payload: json.RawMessage(`{"id":7}`), Timestamp: at(3), EventID: "ev-1"},
	))
	withRaw = bytes.Replace(withRaw, []byte(`}],"dropped_lines"`), []byte(`},{"any":"json"}],"dropped_lines"`), 1)
	add(t, v,
		message(t, "logging", 0, 0, withRaw),
		message(t, "logging", 1, 0, httpLog("POST", "/orders", 201, 10, trace2)),
		message(t, "logging", 0, 1, httpLog("GET", "/orders/9", 404, 20, trace1)),
		message(t, "logging", 1, 1, httpLog("GET", "/fail", 503, 30, "5b8efff798038103d269b633813fc60c",
			wire.Line{LogLevel: "info", Payload: json.RawMessage(`"calling stock"`), Timestamp: at(30.2)},
			wire.Line{LogLevel: "warning", Payload: json.RawMessage(`{"retry":1}`), Timestamp: at(33)},
			wire.Line{LogLevel: "error", Payload: json.RawMessage(`"stock unavailable"`), Timestamp: at(41)},
		)),
		message(t, "logging", 0, 2, wire.RequestLog{Source: "shop", Date: at(40), Service: "RPCHandler.create_order",
			ServiceTime: 2.25, TraceID: "a3ce929d0e0e47364bf92f3577b34da6", Lines: []wire.Line{}, DroppedLines: 3, DroppedEvents: 1}),
		message(t, "logging", 0, 3, httpLog("GET", "/search", 200, 50, trace2,
			wire.Line{LogLevel: "info", Payload: mustJSON(t, hostile), Timestamp: at(52)},
			wire.Line{LogLevel: "error", Payload: mustJSON(t, map[string]string{"q": hostile}), Timestamp: at(53)},
			wire.Line{EventType: hostile, EventSubtype: hostile, Payload: mustJSON(t, hostile), Timestamp: at(54), EventID: "ev-hostile"},
		)),
		message(t, "order_viewed", 2, 17, wire.Event{Source: "shop", EventType: "order_viewed", EventSubtype: "web", Payload: json.RawMessage(`{"id":7}`), Timestamp: at(3)},
			tail.Header{Key: wire.EventIDHeader, Value: []byte("ev-1")},
			tail.Header{Key: wire.TraceparentHeader, Value: []byte("00-" + trace1 + "-00f067aa0ba902b7-01")}),
		message(t, hostile, 0, 0, wire.Event{Source: hostile, EventType: hostile, Payload: mustJSON(t, hostile), Timestamp: at(54)},
			tail.Header{Key: wire.EventIDHeader, Value: []byte("ev-hostile")},
			tail.Header{Key: hostile, Value: []byte(hostile)}),
	)
	// Hostile request fields.
	l := httpLog("GET", "/"+hostile, 200, 60, trace2)
	l.UserAgent, l.RequestID, l.QueryString, l.Source = hostile, hostile, "q="+hostile, hostile
	m := message(t, "logging", 1, 2, l)
	m.Key = []byte(hostile)
	add(t, v, m)
	return v
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFilters(t *testing.T) {
	v := shop(t)
	tests := []struct {
		name  string
		query string
		want  []string // row URLs, newest first
	}{
		{"none", "", []string{"/requests/logging/1/2", "/requests/logging/0/3", "/requests/logging/0/2", "/requests/logging/1/1", "/requests/logging/0/1", "/requests/logging/1/0", "/requests/logging/0/0"}},
		{"status class", "status=5xx", []string{"/requests/logging/1/1"}},
		{"status code", "status=404", []string{"/requests/logging/0/1"}},
		{"status list, upper case", "status=4XX,+5xx", []string{"/requests/logging/1/1", "/requests/logging/0/1"}},
		{"status pattern", "status=20x", []string{"/requests/logging/1/2", "/requests/logging/0/3", "/requests/logging/1/0", "/requests/logging/0/0"}},
		{"path prefix", "path=/orders", []string{"/requests/logging/0/1", "/requests/logging/1/0", "/requests/logging/0/0"}},
		{"longer path prefix", "path=/orders/", []string{"/requests/logging/0/1", "/requests/logging/0/0"}},
		{"trace ID", "trace=" + trace1, []string{"/requests/logging/0/1", "/requests/logging/0/0"}},
		{"trace prefix, upper case", "trace=0AF765", []string{"/requests/logging/1/2", "/requests/logging/0/3", "/requests/logging/1/0"}},
		{"combined", "trace=0af765&status=201", []string{"/requests/logging/1/0"}},
		{"nothing matches", "status=2xx&path=/fail", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(t, v, "/?"+tt.query)
			if code != 200 {
				t.Fatalf("status %d", code)
			}
			if got := rowURLs(body); !slices.Equal(got, tt.want) {
				t.Errorf("rows %q, want %q", got, tt.want)
			}
			if tt.want == nil && !strings.Contains(body, "No request log matches these filters") {
				t.Error("an empty filtered list does not say so")
			}
		})
	}
}

func TestBadFilterIsExplained(t *testing.T) {
	v := shop(t)
	for _, q := range []string{"status=6xx", "status=5x", "trace=xyz", "trace=" + strings.Repeat("a", 33)} {
		code, body := get(t, v, "/?"+q)
		name, value, _ := strings.Cut(q, "=")
		if code != 400 || !strings.Contains(body, name+` &#34;`+value) {
			t.Errorf("GET /?%s: %d, want 400 with an alert naming %s %q:\n%s", q, code, name, value, body)
		}
		if len(rowURLs(body)) != 0 || strings.Contains(body, "data-live") {
			t.Errorf("GET /?%s: rows or live updates despite the bad filter", q)
		}
		if code, _ := get(t, v, "/live?"+q); code != 400 {
			t.Errorf("GET /live?%s: %d, want 400", q, code)
		}
	}
}

func TestTimelinePlacesLinesInOrder(t *testing.T) {
	v := shop(t, WithTraceURL("http://localhost:16686/trace/{trace_id}"))
	_, body := get(t, v, "/requests/logging/1/1") // GET /fail 503, 12.5 ms
	lines := regexp.MustCompile(`<li class="line (\w+)"><span class="offset">([^<]*)</span><svg[^>]*>.*?<circle cx="([0-9.]+)%"`).FindAllStringSubmatch(body, -1)
	var got []string
	for _, l := range lines {
		got = append(got, l[1]+" "+html.UnescapeString(l[2])+" "+l[3])
	}
	// Offsets from the start, positions in percent of 12.5 ms; 11 ms is
	// past the end of the request.
	want := []string{"info +0.200 ms 1.6", "warning +3.000 ms 24", "error +11.000 ms 88"}
	if !slices.Equal(got, want) {
		t.Errorf("timeline %q, want %q", got, want)
	}
	if !strings.Contains(body, `<a href="http://localhost:16686/trace/5b8efff798038103d269b633813fc60c"`) {
		t.Error("the trace ID is not linked to the trace UI")
	}
	if !strings.Contains(body, `<span class="tag error">1 error</span>`) {
		t.Error("the error line is not counted")
	}

	_, body = get(t, v, "/requests/logging/0/0")
	if !strings.Contains(body, `<a class="event" href="/events/ev-1">order_viewed · web</a> <span class="where">order_viewed · partition 2 · offset 17</span>`) {
		t.Errorf("the event line does not link to its message:\n%s", body)
	}
	if !strings.Contains(body, `<span class="kind">raw</span><span class="what"><span class="payload">{&#34;any&#34;:&#34;json&#34;}</span>`) {
		t.Error("an EmitRaw line is not shown as written")
	}
	_, body = get(t, v, "/events/ev-1")
	for _, want := range []string{"<dd>order_viewed</dd>", "<dd>2</dd>", "<dd>17</dd>", "<th>relayer-event-id</th>", `href="/?trace=` + trace1 + `"`, "&#34;id&#34;: 7"} {
		if !strings.Contains(body, want) {
			t.Errorf("the event page lacks %s", want)
		}
	}
}

func TestHostileValuesAreEscaped(t *testing.T) {
	v := shop(t)
	for _, target := range []string{"/", "/?path=" + url.QueryEscape(hostile), "/requests/logging/0/3", "/requests/logging/1/2",
		"/events/ev-hostile", "/events/" + url.PathEscape(hostile), "/" + url.PathEscape(hostile),
		"/?q=" + url.QueryEscape(`"`+hostile+`"`), "/?q=" + url.QueryEscape(hostile+"=1"), "/events?topic=" + url.QueryEscape(hostile),
		"/events", "/events?topic=" + url.QueryEscape(hostile) + "&q=" + url.QueryEscape("payload."+hostile+"=1"), "/traces/" + trace2} {
		_, body := get(t, v, target)
		if strings.Contains(body, "<script>") || strings.Contains(body, "<img") {
			t.Errorf("GET %s: a hostile value is markup:\n%s", target, body)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("GET %s: the hostile value is not shown as text", target)
		}
		if scripts := elements(t, body, "script"); len(scripts) != 1 || scripts[0] != "/static/app.js" {
			t.Errorf("GET %s: script elements %q, want only /static/app.js", target, scripts)
		}
	}
}

func TestPagesAreWellFormed(t *testing.T) {
	v := shop(t, WithTraceURL("https://tempo.example/trace/{trace_id}?x=1&y=2"))
	for _, target := range []string{"/", "/?status=5xx", "/?status=bad", "/?status=2xx&path=/nothing",
		"/requests/logging/0/0", "/requests/logging/1/1", "/requests/logging/0/2", "/requests/logging/0/3", "/requests/logging/1/2",
		"/requests/logging/9/9", "/requests/nonsense", "/events/ev-1", "/events/ev-hostile", "/events/missing", "/elsewhere",
		"/?q=status%3D5xx+stock", "/?q=bad%3Dkey", "/events", "/events?topic=order_viewed", "/events?topic=order_viewed&q=payload.id%3D7",
		"/events?topic=nope", "/events?topic=order_viewed&q=status%3D5xx", "/traces/" + trace1, "/traces/" + trace2, "/traces/xyz"} {
		t.Run(target, func(t *testing.T) {
			_, body := get(t, v, target)
			if err := wellFormed(body); err != nil {
				t.Errorf("%v\n%s", err, body)
			}
		})
	}
	newer := newView(t) // the empty list
	if _, body := get(t, newer, "/"); wellFormed(body) != nil || !strings.Contains(body, "No request logs yet") {
		t.Errorf("the empty list: %v\n%s", wellFormed(body), body)
	}
}

// wellFormed checks that page is well-formed XML (the pages are written as
// XHTML-compatible HTML): every element closed, in order, attributes quoted,
// entities known.
func wellFormed(page string) error {
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	var open []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			open = append(open, e.Name.Local)
		case xml.EndElement:
			open = open[:len(open)-1]
		}
	}
	if len(open) != 0 {
		return errors.New("unclosed elements " + strings.Join(open, ", "))
	}
	if !strings.HasPrefix(page, "<!DOCTYPE html>\n<html") {
		return errors.New("no HTML doctype")
	}
	return nil
}

// elements returns the src attribute of every element named name.
func elements(t *testing.T, page, name string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict, d.Entity = true, xml.HTMLEntity
	var out []string
	for {
		tok, err := d.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			return out
		}
		if e, ok := tok.(xml.StartElement); ok && strings.EqualFold(e.Name.Local, name) {
			src := ""
			for _, a := range e.Attr {
				if a.Name.Local == "src" {
					src = a.Value
				}
			}
			out = append(out, src)
		}
	}
}

func TestPayloadsReadAsGiven(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"plain text"`, "plain text"},
		{`{"a": 1,  "b": [true, null]}`, `{"a":1,"b":[true,null]}`},
		{`{"q":"\u003cb\u003e \u0026 \u003C"}`, `{"q":"<b> & <"}`},
		{`{"q":"\\u003cb"}`, `{"q":"\\u003cb"}`}, // an escaped backslash, then text
		{`{"q":"\\\u003c"}`, `{"q":"\\<"}`},      // an escaped backslash, then an escape
		{`{"q":"\u00e9\n"}`, `{"q":"\u00e9\n"}`}, // other escapes stay
		{`12.50`, `12.50`},
		{`not json`, `not json`},
	}
	for _, tt := range tests {
		if got := payloadText(json.RawMessage(tt.in)); got != tt.want {
			t.Errorf("payloadText(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
