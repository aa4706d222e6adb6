package exporter

import "unicode/utf8"

// fitHead shortens the request fields of h, longest first, until its head
// takes at most budget bytes, and names each shortened field in
// h.truncated (the truncated_fields key): a request log never exceeds the
// maximum message size, however large its fields are once escaped. It
// returns the head as it will be written.
func fitHead(dst []byte, h *requestHead, budget int) []byte {
	head := appendRequestHead(dst, h)
	for len(head) > budget {
		name, v := h.longestField()
		if len(*v) <= minShortenedField {
			break // nothing left worth cutting: the bound is far too small
		}
		*v = cutAtRune(*v, len(*v)/2)
		if !contains(h.truncated, name) {
			h.truncated = append(h.truncated, name)
		}
		head = appendRequestHead(dst[:0], h)
	}
	return head
}

// minShortenedField is the length below which fitHead leaves a field alone.
const minShortenedField = 16

// longestField returns the longest shortenable field of h, by name.
func (h *requestHead) longestField() (string, *string) {
	ri := &h.info
	fields := [...]struct {
		name string
		v    *string
	}{
		{"source", &h.source},
		{"service", &h.service},
		{"user_agent", &ri.userAgent.value},
		{"method", &ri.method.value},
		{"path", &ri.path.value},
		{"query_string", &ri.query.value},
		{"remote_addr", &ri.remote.value},
		{"x_forwarded_for", &ri.forwardedFor.value},
		{"request_id", &ri.requestID.value},
	}
	best := 0
	for i, f := range fields {
		if len(*f.v) > len(*fields[best].v) {
			best = i
		}
	}
	return fields[best].name, fields[best].v
}

// cutAtRune returns s cut to at most n bytes, at a rune boundary.
func cutAtRune(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}
