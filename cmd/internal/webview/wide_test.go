package webview

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/wire"
)

// wideShop is a view holding wide request logs: HTTP ones with route and
// attributes, RPC ones with their status.
func wideShop(t *testing.T) *View {
	t.Helper()
	v := newView(t)
	order := func(ms float64, path, user string) wire.RequestLog {
		l := httpLog("GET", path, 200, ms, trace1)
		l.Route = "/orders/{id}"
		l.Attributes = map[string]json.RawMessage{"enduser.id": json.RawMessage(`"` + user + `"`), "app.items": json.RawMessage(`3`),
			"app.hostile": mustJSON(t, hostile)}
		l.DroppedAttributes = 2
		return l
	}
	rpc := func(ms float64, name string, code int) wire.RequestLog {
		return wire.RequestLog{Source: "shop", Date: at(ms), Service: "shop.Orders.Get", ServiceTime: 1, RPCStatus: name, RPCStatusCode: &code, Lines: []wire.Line{}}
	}
	add(t, v,
		message(t, "logging", 0, 0, order(0, "/orders/7", "42")),
		message(t, "logging", 0, 1, order(10, "/orders/8", "43")),
		message(t, "logging", 0, 2, func() wire.RequestLog {
			l := httpLog("GET", "/health", 200, 20, trace2)
			l.Route = "/health"
			return l
		}()),
		message(t, "logging", 0, 3, rpc(30, "NOT_FOUND", 5)),
		message(t, "logging", 0, 4, rpc(40, "OK", 0)),
	)
	return v
}

func TestTheListFiltersOnTheWideFields(t *testing.T) {
	v := wideShop(t)
	tests := []struct {
		query string
		want  []string // detail URLs, newest first
	}{
		{"route=" + "%2Forders%2F%7Bid%7D", []string{"/requests/logging/0/1", "/requests/logging/0/0"}},
		{"rpc_status=not_found", []string{"/requests/logging/0/3"}},
		{"rpc_status=0", []string{"/requests/logging/0/4"}},
		{"attr=enduser.id%3D42", []string{"/requests/logging/0/0"}},
		{"attr=enduser.id%3D42&attr=app.items%3D3", []string{"/requests/logging/0/0"}},
		{"attr=&route=%2Fhealth", []string{"/requests/logging/0/2"}}, // an empty attribute input is no condition
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			code, body := get(t, v, "/?"+tt.query)
			if code != 200 {
				t.Fatalf("status %d: %s", code, body)
			}
			if got := rowURLs(body); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("rows %v, want %v", got, tt.want)
			}
		})
	}
	if code, body := get(t, v, "/?attr=enduser.id"); code != 400 || !strings.Contains(html.UnescapeString(body), `attr "enduser.id"`) {
		t.Errorf("a malformed attribute filter: status %d, want 400 naming it", code)
	}
}

func TestTheRequestPageShowsTheWideFields(t *testing.T) {
	v := wideShop(t)
	_, body := get(t, v, "/requests/logging/0/0")
	text := html.UnescapeString(body)
	for _, want := range []string{"route", "/orders/{id}", "attr.enduser.id", ">42<", "attr.app.items", "dropped attributes"} {
		if !strings.Contains(body, want) && !strings.Contains(text, want) {
			t.Errorf("the request's page lacks %q", want)
		}
	}
	if strings.Contains(body, hostile) {
		t.Error("a hostile attribute reached the page unescaped")
	}
	_, body = get(t, v, "/requests/logging/0/3")
	for _, want := range []string{`class="status client">NOT_FOUND<`, "RPC status code", ">5<"} {
		if !strings.Contains(body, want) {
			t.Errorf("the RPC request's page lacks %q", want)
		}
	}
	_, list := get(t, v, "/")
	if !strings.Contains(list, `class="status ok">OK<`) {
		t.Error("the list shows no RPC status")
	}
}

func TestTheRequestPageBoundsTheAttributesOfAHostileRecord(t *testing.T) {
	v := newView(t)
	l := httpLog("GET", "/x", 200, 0, trace1)
	l.Attributes = map[string]json.RawMessage{}
	for i := range maxDetailAttributes + 50 {
		l.Attributes[fmt.Sprintf("k%04d", i)] = json.RawMessage(`1`)
	}
	add(t, v, message(t, "logging", 0, 0, l))
	_, body := get(t, v, "/requests/logging/0/0")
	if n := strings.Count(body, "attr.k"); n != maxDetailAttributes {
		t.Errorf("%d attributes shown, want %d", n, maxDetailAttributes)
	}
	if !strings.Contains(body, "50 not shown") {
		t.Error("the page does not say how many attributes it leaves out")
	}
}
