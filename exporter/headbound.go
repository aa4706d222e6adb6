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
		i := h.longestField()
		v := h.field(i)
		if len(v) <= minShortenedField {
			if len(h.attributes) == 0 {
				break // nothing left worth cutting: the bound is far too small
			}
			// The fields are as short as they go: the attributes leave,
			// counted (WithMaxAttributeBytes is capped so that this
			// takes a message bound near its minimum and huge fields).
			h.droppedAttributes += h.attributeCount
			h.attributes, h.attributeCount = nil, 0
			head = appendRequestHead(dst[:0], h)
			continue
		}
		h.setField(i, cutAtRune(v, len(v)/2))
		if name := headFieldNames[i]; !contains(h.truncated, name) {
			h.truncated = append(h.truncated, name)
		}
		head = appendRequestHead(dst[:0], h)
	}
	return head
}

// minShortenedField is the length below which fitHead leaves a field alone.
const minShortenedField = 16

// headFieldNames are the keys of the fields fitHead may shorten, in the
// order of field and setField.
var headFieldNames = [...]string{"source", "service", "user_agent", "method", "path", "query_string", "remote_addr", "x_forwarded_for", "request_id", "route", "rpc_status"}

// field returns the field headFieldNames[i] names. Indices, not pointers,
// keep h on its caller's stack.
func (h *requestHead) field(i int) string {
	ri := &h.info
	switch i {
	case 0:
		return h.source
	case 1:
		return h.service
	case 2:
		return ri.userAgent.value
	case 3:
		return ri.method.value
	case 4:
		return ri.path.value
	case 5:
		return ri.query.value
	case 6:
		return ri.remote.value
	case 7:
		return ri.forwardedFor.value
	case 8:
		return ri.requestID.value
	case 9:
		return ri.route.value
	default:
		return ri.rpcStatus.name
	}
}

func (h *requestHead) setField(i int, v string) {
	ri := &h.info
	switch i {
	case 0:
		h.source = v
	case 1:
		h.service = v
	case 2:
		ri.userAgent.value = v
	case 3:
		ri.method.value = v
	case 4:
		ri.path.value = v
	case 5:
		ri.query.value = v
	case 6:
		ri.remote.value = v
	case 7:
		ri.forwardedFor.value = v
	case 8:
		ri.requestID.value = v
	case 9:
		ri.route.value = v
	default:
		ri.rpcStatus.name = v
	}
}

// longestField returns the index of the longest shortenable field of h.
func (h *requestHead) longestField() int {
	best := 0
	for i := range headFieldNames {
		if len(h.field(i)) > len(h.field(best)) {
			best = i
		}
	}
	return best
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
