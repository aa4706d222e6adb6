package webview

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
)

// filterForm is what the list's filter form shows: the values as typed.
type filterForm struct {
	Q                   string // the search, in tail.ParseQuery's syntax
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
	q := f.values()
	q.Set("since", strconv.FormatUint(since, 10))
	return q.Encode()
}

// values is the form as URL values (for the export link).
func (f filterForm) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"q": f.Q, "status": f.Status, "path": f.Path, "trace": f.Trace, "route": f.Route, "rpc_status": f.RPCStatus} {
		if v != "" {
			q.Set(k, v)
		}
	}
	for _, a := range f.Attrs {
		q.Add("attr", a)
	}
	return q
}

// requestFilter selects the request logs of a list.
type requestFilter struct {
	fields tail.Filter
	query  tail.Query
}

func (f requestFilter) match(r *request) bool {
	return f.fields.Match(r.log) && f.query.MatchRequest(&r.msg)
}

// parseFilter reads the filters of a list's URL: q (a search: key=value
// conditions and free words, see [tail.ParseQuery]), status (codes and
// classes such as "404" or "5xx,429"), path (a prefix of HTTP paths), trace
// (a trace ID or a prefix of one), route (an HTTP route, exactly),
// rpc_status (RPC status names or codes: "NOT_FOUND,14") and attr
// (key=value, such as enduser.id=42; repeated, all must match; empty ones
// are ignored). They combine with AND: relaytail's -q, -status, -path,
// -trace, -route, -rpc-status and -attr, parsed by the same functions.
func parseFilter(q url.Values) (requestFilter, filterForm, error) {
	form := filterForm{
		Q:      strings.TrimSpace(q.Get("q")),
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
	form.Active = form.Q != "" || form.Status != "" || form.Path != "" || form.Trace != "" ||
		form.Route != "" || form.RPCStatus != "" || len(form.Attrs) > 0
	var f requestFilter
	var err error
	if f.fields, err = tail.ParseFilter(form.Status, form.Path, form.Trace); err != nil {
		return f, form, err
	}
	if f.fields, err = f.fields.WithWide(form.Route, form.RPCStatus, form.Attrs); err != nil {
		return f, form, err
	}
	f.query, err = tail.ParseQuery(form.Q, tail.KindRequestLog, time.Now())
	return f, form, err
}

// parseEventFilter reads the search of an event list's URL: q, in the
// syntax of [tail.ParseQuery] with the keys of events.
func parseEventFilter(q url.Values) (tail.Query, string, error) {
	text := strings.TrimSpace(q.Get("q"))
	query, err := tail.ParseQuery(text, tail.KindEvent, time.Now())
	return query, text, err
}
