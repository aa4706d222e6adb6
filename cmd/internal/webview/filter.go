package webview

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
)

// filterForm is what the list's filter form shows: the values as typed.
type filterForm struct {
	Status, Path, Trace string
	Route, RPCStatus    string
	Attrs               []string // key=value each
	Active              bool     // any of them is set
}

// AttrInputs are the attribute inputs the form shows: one per attribute
// filter, or one empty.
func (f filterForm) AttrInputs() []string {
	if len(f.Attrs) == 0 {
		return []string{""}
	}
	return f.Attrs
}

// query is the form as a URL query, for the live updates of the same list
// from the request log after sequence number since on.
func (f filterForm) query(since uint64) string {
	q := url.Values{"since": {strconv.FormatUint(since, 10)}}
	for k, v := range map[string]string{"status": f.Status, "path": f.Path, "trace": f.Trace, "route": f.Route, "rpc_status": f.RPCStatus} {
		if v != "" {
			q.Set(k, v)
		}
	}
	for _, a := range f.Attrs {
		q.Add("attr", a)
	}
	return q.Encode()
}

// parseFilter reads the filters of a list's URL: status (codes and classes
// such as "404" or "5xx,429"), path (a prefix of HTTP paths), trace (a
// trace ID or a prefix of one), route (an HTTP route, exactly), rpc_status
// (RPC status names or codes: "NOT_FOUND,14") and attr (key=value, such as
// enduser.id=42; repeated, all must match; empty ones are ignored). They
// combine with AND: relaytail's -status, -path, -trace, -route,
// -rpc-status and -attr, parsed by the same [tail.ParseFilter] and
// [tail.Filter.WithWide].
func parseFilter(q url.Values) (tail.Filter, filterForm, error) {
	form := filterForm{
		Status: strings.TrimSpace(q.Get("status")),
		Path:   q.Get("path"),
		Trace:  strings.TrimSpace(q.Get("trace")),
	}
	form.Route = q.Get("route")
	form.RPCStatus = strings.TrimSpace(q.Get("rpc_status"))
	for _, a := range q["attr"] {
		if a = strings.TrimSpace(a); a != "" {
			form.Attrs = append(form.Attrs, a)
		}
	}
	form.Active = form.Status != "" || form.Path != "" || form.Trace != "" || form.Route != "" || form.RPCStatus != "" || len(form.Attrs) > 0
	f, err := tail.ParseFilter(form.Status, form.Path, form.Trace)
	if err != nil {
		return f, form, err
	}
	f, err = f.WithWide(form.Route, form.RPCStatus, form.Attrs)
	return f, form, err
}
