package tail

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/wire"
)

// wideFilter holds the conditions on the wide fields of request logs.
type wideFilter struct {
	route       string      // exact
	rpcStatuses []string    // names (upper case) or codes
	attrs       []attrMatch // every one must match
}

type attrMatch struct{ key, value string }

// WithWide returns f with conditions on the wide fields added: the HTTP
// route is route (exactly: "/orders/{id}"); the RPC status is one of
// rpcStatuses (a comma-separated list of names or codes, any case:
// "NOT_FOUND,UNAVAILABLE", "5,14"); and, for each of attrs written
// "key=value" (as relaytail's -attr enduser.id=42), the attribute key's
// value, as text (strings unquoted, other values as JSON), is value. Empty
// arguments impose no condition. Errors start with the argument's name and
// value, as ParseFilter's.
func (f Filter) WithWide(route, rpcStatuses string, attrs []string) (Filter, error) {
	f.wide.route = route
	if rpcStatuses != "" {
		for s := range strings.SplitSeq(rpcStatuses, ",") {
			s = strings.ToUpper(strings.TrimSpace(s))
			if s == "" {
				return Filter{}, fmt.Errorf("rpc-status %q: want RPC status names or codes such as NOT_FOUND or 5,14", rpcStatuses)
			}
			f.wide.rpcStatuses = append(f.wide.rpcStatuses, s)
		}
	}
	for _, a := range attrs {
		key, value, ok := strings.Cut(a, "=")
		if key = strings.TrimSpace(key); !ok || key == "" {
			return Filter{}, fmt.Errorf("attr %q: want key=value such as enduser.id=42", a)
		}
		f.wide.attrs = append(f.wide.attrs, attrMatch{key: strings.TrimPrefix(key, "attr."), value: value})
	}
	return f, nil
}

func (w *wideFilter) match(l *wire.RequestLog) bool {
	if w.route != "" && l.Route != w.route {
		return false
	}
	if len(w.rpcStatuses) > 0 && !matchRPCStatus(w.rpcStatuses, l) {
		return false
	}
	for _, a := range w.attrs {
		if v, ok := l.Attribute(a.key); !ok || v != a.value {
			return false
		}
	}
	return true
}

func matchRPCStatus(statuses []string, l *wire.RequestLog) bool {
	if l.RPCStatus == "" && l.RPCStatusCode == nil {
		return false // not RPC, or no status
	}
	for _, s := range statuses {
		if strings.EqualFold(s, l.RPCStatus) {
			return true
		}
		if n, err := strconv.Atoi(s); err == nil && l.RPCStatusCode != nil && *l.RPCStatusCode == n {
			return true
		}
	}
	return false
}

// The keys of the query syntax for the wide fields: route=, rpc_status=
// and attr.KEY=, which take what relaytail's -route, -rpc-status and -attr
// take.
var (
	routeKey = &queryKey{name: "route", help: "HTTP route, exactly: route=/orders/{id}", ops: opsEqual,
		parse:   func(_, _, v string, _ time.Time) (any, error) { return Filter{}.WithWide(v, "", nil) },
		request: func(c cond, m *Message) bool { return c.value.(Filter).Match(m.RequestLog) }}
	rpcStatusKey = &queryKey{name: "rpc_status", help: "RPC status names or codes: NOT_FOUND, UNAVAILABLE,14", ops: opsEqual,
		parse: func(_, _, v string, _ time.Time) (any, error) {
			if v == "" {
				return nil, errors.New("want RPC status names or codes such as NOT_FOUND or 5,14")
			}
			return Filter{}.WithWide("", v, nil)
		},
		request: func(c cond, m *Message) bool { return c.value.(Filter).Match(m.RequestLog) }}
	// attrKey is every key "attr.KEY": the request log's attribute KEY,
	// as text (strings unquoted, other values as JSON), equals the value.
	attrKey = &queryKey{name: "attr.KEY", help: "a request log attribute: attr.enduser.id=42", ops: opsEqual,
		parse: func(name, _, v string, _ time.Time) (any, error) {
			key := strings.TrimPrefix(name, "attr.")
			if key == "" {
				return nil, errors.New("want attr.KEY, such as attr.enduser.id")
			}
			return Filter{}.WithWide("", "", []string{key + "=" + v})
		},
		request: func(c cond, m *Message) bool { return c.value.(Filter).Match(m.RequestLog) }}
)
