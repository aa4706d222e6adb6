package tail

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/wire"
)

func TestFilterOnTheWideFields(t *testing.T) {
	decode := func(body string) *wire.RequestLog {
		var l wire.RequestLog
		if err := json.Unmarshal([]byte(body), &l); err != nil {
			t.Fatal(err)
		}
		return &l
	}
	httpLog := decode(`{"method":"GET","path":"/orders/7","status":200,"route":"/orders/{id}","attributes":{"enduser.id":"42","app.items":3,"app.vip":true},"lines":[]}`)
	rpcLog := decode(`{"service":"shop.Orders.Get","rpc_status_code":5,"rpc_status":"NOT_FOUND","lines":[]}`)
	jobLog := decode(`{"service":"nightly","lines":[]}`)
	tests := []struct {
		name             string
		route, rpcStatus string
		attrs            []string
		http, rpc, job   bool
	}{
		{"no condition", "", "", nil, true, true, true},
		{"route", "/orders/{id}", "", nil, true, false, false},
		{"another route", "/orders", "", nil, false, false, false},
		{"RPC status by name, any case", "", "not_found", nil, false, true, false},
		{"RPC status by code", "", "14,5", nil, false, true, false},
		{"another RPC status", "", "OK", nil, false, false, false},
		{"a string attribute", "", "", []string{"enduser.id=42"}, true, false, false},
		{"attr. prefix as in the filter syntax", "", "", []string{"attr.enduser.id=42"}, true, false, false},
		{"a number and a bool, as JSON", "", "", []string{"app.items=3", "app.vip=true"}, true, false, false},
		{"every attribute must match", "", "", []string{"enduser.id=42", "app.items=4"}, false, false, false},
		{"an empty value matches no absent attribute", "", "", []string{"app.none="}, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Filter{}.WithWide(tt.route, tt.rpcStatus, tt.attrs)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name string
				l    *wire.RequestLog
				want bool
			}{{"HTTP", httpLog, tt.http}, {"RPC", rpcLog, tt.rpc}, {"job", jobLog, tt.job}} {
				if got := f.Match(c.l); got != c.want {
					t.Errorf("%s log: match %v, want %v", c.name, got, c.want)
				}
			}
		})
	}
}

func TestWideFilterErrorsNameTheArgument(t *testing.T) {
	tests := []struct {
		name, rpcStatus string
		attrs           []string
		prefix          string
	}{
		{"empty RPC status", "NOT_FOUND,", nil, `rpc-status "NOT_FOUND,"`},
		{"attribute without =", "", []string{"enduser.id"}, `attr "enduser.id"`},
		{"attribute without key", "", []string{"=42"}, `attr "=42"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Filter{}.WithWide("", tt.rpcStatus, tt.attrs)
			if err == nil || !strings.HasPrefix(err.Error(), tt.prefix) {
				t.Errorf("error %v, want one starting with %s", err, tt.prefix)
			}
		})
	}
}

// The query syntax takes the wide fields: route=, rpc_status= and
// attr.KEY=, for request logs only.
func TestQueryOnTheWideFields(t *testing.T) {
	order := requestMessage(t, `{"date":"2026-12-07T11:30:00Z","method":"GET","path":"/orders/7","status":200,"route":"/orders/{id}",
		"attributes":{"enduser.id":"42","app.items":3},"lines":[]}`)
	rpc := requestMessage(t, `{"date":"2026-12-07T11:30:00Z","service":"shop.Orders.Get","rpc_status_code":5,"rpc_status":"NOT_FOUND","lines":[]}`)
	tests := []struct {
		query      string
		order, rpc bool
	}{
		{"route=/orders/{id}", true, false},
		{"rpc_status=not_found", false, true},
		{"rpc_status=5,14", false, true},
		{"attr.enduser.id=42", true, false},
		{"attr.enduser.id=42 attr.app.items=3 route=/orders/{id}", true, false},
		{"attr.enduser.id=43", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := ParseQuery(tt.query, KindRequestLog, queryNow)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.MatchRequest(order); got != tt.order {
				t.Errorf("order: %v, want %v", got, tt.order)
			}
			if got := q.MatchRequest(rpc); got != tt.rpc {
				t.Errorf("rpc: %v, want %v", got, tt.rpc)
			}
		})
	}
	for _, bad := range []string{"attr.=1", "rpc_status=", "rpc_status=5,"} {
		if _, err := ParseQuery(bad, KindRequestLog, queryNow); err == nil {
			t.Errorf("ParseQuery(%q) accepted", bad)
		}
	}
	if _, err := ParseQuery("attr.enduser.id=42", KindEvent, queryNow); err == nil {
		t.Error("attr. accepted for events")
	}
	if keys := strings.Join(QueryKeys(KindRequestLog), " "); !strings.Contains(keys, "route=") || !strings.Contains(keys, "attr.KEY=") {
		t.Errorf("QueryKeys lacks the wide keys: %s", keys)
	}
}
