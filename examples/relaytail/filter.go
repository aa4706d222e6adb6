package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/otelrelayer/otelrelayer/exporter"
)

// filter selects request logs. Its conditions combine with AND; the zero
// filter matches everything.
type filter struct {
	statuses    []string // three characters each, digits or 'x': "404", "5xx"
	pathPrefix  string   // of HTTP paths
	tracePrefix string   // lower-case hex
}

// parseStatuses parses a comma-separated list of status codes and classes:
// "404", "5xx", "4xx,503", "50x". Case does not matter.
func parseStatuses(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		if len(p) != 3 || p[0] < '1' || p[0] > '5' || strings.Trim(p[1:], "0123456789x") != "" {
			return nil, fmt.Errorf("-status %q: want status codes or classes such as 404, 5xx or 4xx,503", s)
		}
		out = append(out, p)
	}
	return out, nil
}

// parseTrace checks that s is a trace ID or a prefix of one.
func parseTrace(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 32 || strings.Trim(s, "0123456789abcdef") != "" {
		return "", fmt.Errorf("-trace %q: want a trace ID (32 hex digits) or a prefix of one", s)
	}
	return s, nil
}

// match reports whether l passes every condition of f. Status and path
// conditions only match HTTP request logs.
func (f filter) match(l exporter.RequestLog) bool {
	if len(f.statuses) > 0 && !matchStatus(f.statuses, l.Status) {
		return false
	}
	if f.pathPrefix != "" && (l.Method == "" || !strings.HasPrefix(l.Path, f.pathPrefix)) {
		return false
	}
	if f.tracePrefix != "" && !strings.HasPrefix(strings.ToLower(l.TraceID), f.tracePrefix) {
		return false
	}
	return true
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
