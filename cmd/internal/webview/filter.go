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
	Active              bool // any of them is set
}

// query is the form as a URL query, for the live updates of the same list
// from the request log after sequence number since on.
func (f filterForm) query(since uint64) string {
	q := url.Values{"since": {strconv.FormatUint(since, 10)}}
	for k, v := range map[string]string{"status": f.Status, "path": f.Path, "trace": f.Trace} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q.Encode()
}

// parseFilter reads the filters of a list's URL: status (codes and classes
// such as "404" or "5xx,429"), path (a prefix of HTTP paths) and trace (a
// trace ID or a prefix of one). They combine with AND: relaytail's
// -status, -path and -trace, parsed by the same [tail.ParseFilter].
func parseFilter(q url.Values) (tail.Filter, filterForm, error) {
	form := filterForm{
		Status: strings.TrimSpace(q.Get("status")),
		Path:   q.Get("path"),
		Trace:  strings.TrimSpace(q.Get("trace")),
	}
	form.Active = form.Status != "" || form.Path != "" || form.Trace != ""
	f, err := tail.ParseFilter(form.Status, form.Path, form.Trace)
	return f, form, err
}
