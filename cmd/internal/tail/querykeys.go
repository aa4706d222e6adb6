package tail

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/wire"
)

// queryKey is one key of the query syntax: a new filter is one entry of
// queryKeys. request and event test a message of their kind; nil means
// the key does not apply to that kind (ParseQuery refuses it there).
type queryKey struct {
	name    string
	aliases []string
	help    string // for QueryKeys and the pages' help
	ops     string // the operators it takes: "[=]", or "[=][>=][>][<=][<]"
	parse   func(name, op, value string, now time.Time) (any, error)
	request func(c cond, m *Message) bool
	event   func(c cond, m *Message) bool
}

const (
	opsEqual   = "[=]"
	opsCompare = "[=][>=][>][<=][<]"
)

// queryKeys are the keys of the query syntax, in the order QueryKeys lists
// them. Keys starting with "payload." are payloadKey, those starting with
// "attr." attrKey.
var queryKeys = []*queryKey{
	{name: "request", aliases: []string{"req", "request_id"}, help: "request ID, or a prefix of one", ops: opsEqual, parse: parseText,
		request: func(c cond, m *Message) bool { return strings.HasPrefix(m.RequestLog.RequestID, c.value.(string)) }},
	{name: "event", aliases: []string{"event_id"}, help: "event ID, or a prefix of one: the request that emitted it, or the event", ops: opsEqual, parse: parseText,
		request: func(c cond, m *Message) bool {
			return anyLine(m, func(l wire.Line) bool { return l.EventID != "" && strings.HasPrefix(l.EventID, c.value.(string)) })
		},
		event: func(c cond, m *Message) bool {
			id, _ := m.Header(wire.EventIDHeader)
			return strings.HasPrefix(string(id), c.value.(string))
		}},
	{name: "trace", aliases: []string{"trace_id"}, help: "trace ID, or a prefix of one", ops: opsEqual, parse: parseTrace,
		request: func(c cond, m *Message) bool {
			return strings.HasPrefix(strings.ToLower(m.RequestLog.TraceID), c.value.(string))
		},
		event: func(c cond, m *Message) bool { return strings.HasPrefix(traceOf(m), c.value.(string)) }},
	{name: "source", help: "the writing service's source name", ops: opsEqual, parse: parseText,
		request: func(c cond, m *Message) bool { return strings.EqualFold(m.RequestLog.Source, c.value.(string)) },
		event:   func(c cond, m *Message) bool { return strings.EqualFold(m.Event.Source, c.value.(string)) }},
	{name: "service", help: "the service of an RPC call or job", ops: opsEqual, parse: parseText,
		request: func(c cond, m *Message) bool { return strings.EqualFold(m.RequestLog.Service, c.value.(string)) }},
	{name: "method", help: "HTTP method", ops: opsEqual, parse: parseText,
		request: func(c cond, m *Message) bool { return strings.EqualFold(m.RequestLog.Method, c.value.(string)) }},
	{name: "status", help: "HTTP status codes or classes: 404, 5xx, 4xx,503", ops: opsEqual,
		parse: func(_, _, v string, _ time.Time) (any, error) {
			f, err := ParseFilter(v, "", "")
			return f, err
		},
		request: func(c cond, m *Message) bool { return c.value.(Filter).Match(m.RequestLog) }},
	{name: "path", help: "HTTP path prefix", ops: opsEqual, parse: parseText,
		request: func(c cond, m *Message) bool {
			l := m.RequestLog
			return l.Method != "" && strings.HasPrefix(l.Path, c.value.(string))
		}},
	{name: "dur", aliases: []string{"duration"}, help: "the request's duration, such as dur>=250ms", ops: opsCompare,
		parse: func(_, _, v string, _ time.Time) (any, error) {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return nil, fmt.Errorf("want a duration such as 250ms or 1.5s, got %q", v)
			}
			return float64(d) / float64(time.Millisecond), nil
		},
		request: func(c cond, m *Message) bool {
			l := m.RequestLog
			ms := l.ServiceTime
			if l.Method != "" {
				ms = l.RequestTime
			}
			return compare(c.op, ms, c.value.(float64))
		}},
	{name: "level", help: "a line of this log level is present (error also finds critical, fatal, exception)", ops: opsEqual, parse: parseLower,
		request: func(c cond, m *Message) bool {
			return anyLine(m, func(l wire.Line) bool { return levelIs(l.LogLevel, c.value.(string)) })
		}},
	{name: "type", aliases: []string{"event_type"}, help: "event type: the request emitted one, or the event is one", ops: opsEqual, parse: parseText,
		request: func(c cond, m *Message) bool {
			return anyLine(m, func(l wire.Line) bool { return l.EventType == c.value.(string) })
		},
		event: func(c cond, m *Message) bool { return m.Event.EventType == c.value.(string) }},
	{name: "subtype", aliases: []string{"event_subtype"}, help: "event subtype", ops: opsEqual, parse: parseText,
		request: func(c cond, m *Message) bool {
			return anyLine(m, func(l wire.Line) bool { return l.IsEvent() && l.EventSubtype == c.value.(string) })
		},
		event: func(c cond, m *Message) bool { return m.Event.EventSubtype == c.value.(string) }},
	{name: "key", help: "the event message's key, as written", ops: opsEqual, parse: parseText,
		event: func(c cond, m *Message) bool { return string(m.Key) == c.value.(string) }},
	{name: "outbox", help: "true: went through the transactional outbox; false: did not", ops: opsEqual, parse: parseBool,
		request: func(c cond, m *Message) bool {
			return anyLine(m, func(l wire.Line) bool { return l.Outbox }) == c.value.(bool)
		},
		event: func(c cond, m *Message) bool {
			_, ok := m.Header(wire.OutboxWrittenAtHeader)
			return ok == c.value.(bool)
		}},
	{name: "time", help: "when it happened: RFC 3339 (2026-12-07T10:00:00Z), a date, or a duration ago (time>=30m)", ops: opsCompare, parse: parseTime,
		request: matchTime, event: matchTime},
	routeKey, rpcStatusKey, // the wide fields, beside Filter.WithWide
}

// payloadKey is every key "payload.FIELD[.FIELD…]": a field of an event's
// payload (or of one of a request's events) equals the value, compared
// as JSON text for numbers, booleans and null, as text for strings.
var payloadKey = &queryKey{
	name: "payload.FIELD", help: "a field of the event's payload (of an event of the request): payload.order_id=42", ops: opsEqual,
	parse: func(name, _, v string, _ time.Time) (any, error) {
		path := strings.Split(strings.TrimPrefix(name, "payload."), ".")
		for _, p := range path {
			if p == "" {
				return nil, errors.New("want payload.FIELD or payload.FIELD.FIELD…")
			}
		}
		return payloadCond{path, v}, nil
	},
	request: func(c cond, m *Message) bool {
		pc := c.value.(payloadCond)
		return anyLine(m, func(l wire.Line) bool { return l.IsEvent() && pc.match(l.Payload) })
	},
	event: func(c cond, m *Message) bool { return c.value.(payloadCond).match(m.Event.Payload) },
}

func lookupKey(name string) *queryKey {
	if strings.HasPrefix(name, "payload.") {
		return payloadKey
	}
	if strings.HasPrefix(name, "attr.") {
		return attrKey
	}
	for _, k := range queryKeys {
		if k.name == name {
			return k
		}
		for _, a := range k.aliases {
			if a == name {
				return k
			}
		}
	}
	return nil
}

// QueryKeys lists the keys a query over messages of kind takes, each with
// its operators.
func QueryKeys(kind Kind) []string {
	var out []string
	for _, k := range append(queryKeys[:len(queryKeys):len(queryKeys)], payloadKey, attrKey) {
		if (kind == KindRequestLog && k.request != nil) || (kind == KindEvent && k.event != nil) {
			op := "="
			if k.ops == opsCompare {
				op = ">="
			}
			out = append(out, k.name+op)
		}
	}
	return out
}

// QueryHelp returns one line per key a query over messages of kind takes.
func QueryHelp(kind Kind) []string {
	var out []string
	for _, k := range append(queryKeys[:len(queryKeys):len(queryKeys)], payloadKey, attrKey) {
		if (kind == KindRequestLog && k.request != nil) || (kind == KindEvent && k.event != nil) {
			out = append(out, k.name+": "+k.help)
		}
	}
	return out
}

func parseText(_, _, v string, _ time.Time) (any, error) {
	if v == "" {
		return nil, errors.New("want a value after the operator")
	}
	return v, nil
}

func parseLower(n, op, v string, now time.Time) (any, error) {
	return parseText(n, op, strings.ToLower(v), now)
}

func parseTrace(_, _, v string, _ time.Time) (any, error) {
	t := strings.ToLower(v)
	if t == "" || len(t) > 32 || strings.Trim(t, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("want a trace ID (32 hex digits) or a prefix of one, got %q", v)
	}
	return t, nil
}

func parseBool(_, _, v string, _ time.Time) (any, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, fmt.Errorf("want true or false, got %q", v)
	}
	return b, nil
}

// ParseTime reads a point in time as the query's time key and the
// commands' -since take it: RFC 3339, a date (2026-12-07, midnight UTC),
// or a duration before now ("90m", "1h").
func ParseTime(v string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("want a time such as 2026-12-07T10:00:00Z, 2026-12-07 or a duration ago such as 30m, got %q", v)
}

func parseTime(_, _, v string, now time.Time) (any, error) { return ParseTime(v, now) }

func matchTime(c cond, m *Message) bool {
	t, at := m.Time(), c.value.(time.Time)
	switch c.op {
	case ">=":
		return !t.Before(at)
	case ">":
		return t.After(at)
	case "<=":
		return !t.After(at)
	case "<":
		return t.Before(at)
	}
	return t.Equal(at)
}

func compare(op string, a, b float64) bool {
	switch op {
	case ">=":
		return a >= b
	case ">":
		return a > b
	case "<=":
		return a <= b
	case "<":
		return a < b
	}
	return a == b
}

func anyLine(m *Message, f func(wire.Line) bool) bool {
	for _, l := range m.RequestLog.Lines {
		if f(l) {
			return true
		}
	}
	return false
}

// levelIs reports whether a line's level is want; "error" also takes the
// Python library's levels above it.
func levelIs(level, want string) bool {
	level = strings.ToLower(level)
	if want == "error" {
		switch level {
		case "error", "critical", "fatal", "exception":
			return true
		}
	}
	return level == want
}

// traceOf returns the trace ID of an event's traceparent header, or "".
func traceOf(m *Message) string {
	tp, ok := m.Header(wire.TraceparentHeader)
	if !ok {
		return ""
	}
	parts := strings.Split(string(tp), "-")
	if len(parts) != 4 || len(parts[1]) != 32 {
		return ""
	}
	return strings.ToLower(parts[1])
}

// payloadCond is a payload.FIELD=value condition.
type payloadCond struct {
	path  []string
	value string
}

// match reports whether payload holds the field with the value. A payload
// that does not mention the last field's name is not decoded; one that
// does is walked along the path only, each object on it split into its
// members undecoded, so that a large payload costs about its size.
func (pc payloadCond) match(payload json.RawMessage) bool {
	if !bytes.Contains(payload, []byte(pc.path[len(pc.path)-1])) {
		return false
	}
	v := payload
	for _, p := range pc.path {
		var obj map[string]json.RawMessage
		if json.Unmarshal(v, &obj) != nil || obj == nil {
			return false
		}
		var ok bool
		if v, ok = obj[p]; !ok {
			return false
		}
	}
	if v = bytes.TrimSpace(v); len(v) == 0 || v[0] == '{' || v[0] == '[' {
		return false // an object or an array equals no value of the query
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var leaf any
	if dec.Decode(&leaf) != nil {
		return false
	}
	switch x := leaf.(type) {
	case string:
		return x == pc.value
	case json.Number:
		if x.String() == pc.value {
			return true
		}
		a, err1 := x.Float64()
		b, err2 := strconv.ParseFloat(pc.value, 64)
		return err1 == nil && err2 == nil && a == b
	case bool:
		return strconv.FormatBool(x) == pc.value
	case nil:
		return pc.value == "null"
	}
	return false
}
