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
	Active              bool // any of them is set
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
	for k, v := range map[string]string{"q": f.Q, "status": f.Status, "path": f.Path, "trace": f.Trace} {
		if v != "" {
			q.Set(k, v)
		}
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
// classes such as "404" or "5xx,429"), path (a prefix of HTTP paths) and
// trace (a trace ID or a prefix of one). They combine with AND: relaytail's
// -q, -status, -path and -trace, parsed by the same functions.
func parseFilter(q url.Values) (requestFilter, filterForm, error) {
	form := filterForm{
		Q:      strings.TrimSpace(q.Get("q")),
		Status: strings.TrimSpace(q.Get("status")),
		Path:   q.Get("path"),
		Trace:  strings.TrimSpace(q.Get("trace")),
	}
	form.Active = form.Q != "" || form.Status != "" || form.Path != "" || form.Trace != ""
	var f requestFilter
	var err error
	if f.fields, err = tail.ParseFilter(form.Status, form.Path, form.Trace); err != nil {
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
