package tail

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/otelrelayer/otelrelayer/wire"
)

// Filter selects request logs, as relaytail's -status, -path, -trace,
// -route, -rpc-status and -attr flags do. Its conditions combine with AND; the zero Filter matches every
// request log. Build it with [ParseFilter], then [Filter.WithWide].
type Filter struct {
	statuses    []string // three characters each, digits or 'x': "404", "5xx"
	pathPrefix  string   // of HTTP paths
	tracePrefix string   // lower-case hex
	wide        wideFilter
}

// ParseFilter returns the filter of request logs whose status is one of
// statuses (a comma-separated list of codes and classes: "404", "5xx",
// "4xx,503", "50x"; case does not matter), whose HTTP path starts with
// pathPrefix, and whose trace ID starts with tracePrefix (hex, any case).
// Empty arguments impose no condition. Status and path conditions only
// match HTTP request logs. Errors start with the argument's name and
// value: `status "6xx": want ...`, `trace "xyz": want ...`.
func ParseFilter(statuses, pathPrefix, tracePrefix string) (Filter, error) {
	var f Filter
	if statuses != "" {
		for p := range strings.SplitSeq(statuses, ",") {
			p = strings.ToLower(strings.TrimSpace(p))
			if len(p) != 3 || p[0] < '1' || p[0] > '5' || strings.Trim(p[1:], "0123456789x") != "" {
				return Filter{}, fmt.Errorf("status %q: want status codes or classes such as 404, 5xx or 4xx,503", statuses)
			}
			f.statuses = append(f.statuses, p)
		}
	}
	f.tracePrefix = strings.ToLower(strings.TrimSpace(tracePrefix))
	if len(f.tracePrefix) > 32 || strings.Trim(f.tracePrefix, "0123456789abcdef") != "" {
		return Filter{}, fmt.Errorf("trace %q: want a trace ID (32 hex digits) or a prefix of one", tracePrefix)
	}
	f.pathPrefix = pathPrefix
	return f, nil
}

// Match reports whether l passes every condition of f.
func (f Filter) Match(l *wire.RequestLog) bool {
	if len(f.statuses) > 0 && !matchStatus(f.statuses, l.Status) {
		return false
	}
	if f.pathPrefix != "" && (l.Method == "" || !strings.HasPrefix(l.Path, f.pathPrefix)) {
		return false
	}
	if f.tracePrefix != "" && !strings.HasPrefix(strings.ToLower(l.TraceID), f.tracePrefix) {
		return false
	}
	return f.wide.match(l)
}

func matchStatus(patterns []string, status int) bool {
	if status < 100 || status > 999 {
		return false // not HTTP, or no status
	}
	code := strconv.Itoa(status)
	for _, p := range patterns {
		ok := true
		for i := range 3 {
			if p[i] != 'x' && p[i] != code[i] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
