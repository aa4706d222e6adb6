package webview

import (
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/consolefmt"
	"github.com/otelrelayer/otelrelayer/wire"
)

// What the templates show: plain strings and numbers, computed here so that
// the templates stay free of logic. html/template escapes every one of them.

// row is a request log in the list.
type row struct {
	URL        string // of its detail view
	Sort       string // newest first: date in microseconds, then the record's place
	Time, Date string // 15:04:05.000 and the full date, UTC
	Source     string
	Method     string // empty for RPC and other roots
	Path       string // with the query string, decoded
	Service    string
	Status     string // "" when the log has none
	StatusKind string // ok, redirect, client, server, none
	Duration   string
	Lines      int
	Errors     int // error lines
	Dropped    string
	TraceID    string
	Evicted    bool
	Forged     string // the date the request log claims, when it is in the future of its arrival
}

// Bounds of the fields of a page: a list row cuts its fields at
// maxListField bytes, a request's page its fields at maxDetailField, and
// its timeline shows at most maxTimelineLines lines of at most
// maxLinePayload bytes each. The whole record is a download away.
const (
	maxListField     = 256
	maxDetailField   = 4 << 10
	maxTimelineLines = 500
	maxLinePayload   = 2 << 10
)

func newRow(r *request) row {
	l := r.log
	at := r.at()
	w := row{
		URL:     requestURL(r.id),
		Sort:    fmt.Sprintf("%020d/%s/%010d/%020d", at.UnixMicro(), r.id.topic, r.id.partition, r.id.offset),
		Time:    at.UTC().Format("15:04:05.000"),
		Date:    l.Date.UTC().Format("2006-01-02 15:04:05.000000 UTC"),
		Source:  cut(l.Source, maxListField),
		Method:  cut(l.Method, maxListField),
		Path:    l.Path,
		Service: cut(l.Service, maxListField),
		Lines:   len(l.Lines),
		TraceID: cut(l.TraceID, maxListField),
		Evicted: l.Evicted,
	}
	if r.forged() {
		w.Forged = w.Date
		w.Date = "forged: claims " + w.Date + "; arrived " + r.received.UTC().Format("2006-01-02 15:04:05.000 UTC")
	}
	if l.QueryString != "" {
		// Decoded to read as typed; the page escapes it.
		q, err := url.QueryUnescape(l.QueryString)
		if err != nil {
			q = l.QueryString
		}
		w.Path += "?" + q
	}
	w.Path = cut(w.Path, maxListField)
	w.Duration = formatMillis(duration(l))
	w.Status, w.StatusKind = "", "none"
	if l.Status != 0 {
		w.Status = strconv.Itoa(l.Status)
		w.StatusKind = statusKind(l.Status)
	} else if l.RPCStatus != "" {
		w.Status = cut(l.RPCStatus, maxListField)
		w.StatusKind = rpcStatusKind(l.RPCStatus)
	}
	for _, line := range l.Lines {
		if isError(line) {
			w.Errors++
		}
	}
	var dropped []string
	if l.DroppedLines > 0 {
		dropped = append(dropped, plural(l.DroppedLines, "line"))
	}
	if l.DroppedEvents > 0 {
		dropped = append(dropped, plural(l.DroppedEvents, "event"))
	}
	w.Dropped = strings.Join(dropped, ", ")
	return w
}

// requestURL is the address of a request log's page. Topic names are any
// client's ("logs/v2", "logs?x"): the topic is path-escaped.
func requestURL(id requestID) string {
	return fmt.Sprintf("/requests/%s/%d/%d", url.PathEscape(id.topic), id.partition, id.offset)
}

// duration is the request's duration in milliseconds.
func duration(l *wire.RequestLog) float64 {
	if l.Method != "" {
		return l.RequestTime
	}
	return l.ServiceTime
}

func statusKind(status int) string {
	switch {
	case status >= 500:
		return "server"
	case status >= 400:
		return "client"
	case status >= 300:
		return "redirect"
	case status >= 100:
		return "ok"
	}
	return "none"
}

// isError reports whether a line is an error line: a log line of level
// error, or above it in the Python library's levels.
func isError(l wire.Line) bool {
	switch strings.ToLower(l.LogLevel) {
	case "error", "critical", "fatal", "exception":
		return true
	}
	return false
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// formatMillis shows a duration given in milliseconds with about three
// significant digits: 299 µs, 2.9 ms, 1.25 s.
func formatMillis(ms float64) string { return consolefmt.Millis(ms, " ") }

// page is what every page shows.
type page struct {
	Bounds bounds
}

// bounds says how much the view holds and may hold.
type bounds struct {
	Requests, MaxRequests int
	Events, MaxEvents     int
	Oldest                string // the date of the oldest request log held, "" when none
	From                  string // where reading started, as WithHistory says
}

// detail is the detail view of a request log.
type detail struct {
	page
	Row      row
	Topic    string
	Place    string // partition and offset
	Fields   []field
	TraceURL string // "" without a trace UI
	Duration string
	Lines    []timelineLine
	More     int    // lines not shown, beyond maxTimelineLines
	Raw      shown  // the message, indented
	RawURL   string // the whole record, as written
}

type field struct{ Name, Value string }

// timelineLine is a line placed on the request's timeline.
type timelineLine struct {
	Offset   string  // from the start of the request: "+1.204 ms"
	X        float64 // 0 to 100: percent of the request's duration
	Outside  string  // "before the start", "after the end" or ""
	Kind     string  // event, error, warning, info, debug, raw
	Level    string
	Event    string // event type and subtype
	EventURL string // "" when the line has no event ID
	Where    string // the event's message: topic, partition, offset; "" when not held
	Outbox   bool   // the event went through the transactional outbox
	Payload  string
}

func newDetail(r *request, events *store, traceURL string) detail {
	l := r.log
	d := detail{
		Row:      newRow(r),
		Topic:    r.id.topic,
		Place:    fmt.Sprintf("partition %d, offset %d", r.id.partition, r.id.offset),
		Duration: formatMillis(duration(l)),
		Raw:      pretty(r.msg.Value),
		RawURL:   "/raw" + requestURL(r.id),
	}
	if traceURL != "" && isTraceID(l.TraceID) {
		// Only a trace ID goes into the link: the field is message data.
		d.TraceURL = strings.ReplaceAll(traceURL, TraceIDPlaceholder, l.TraceID)
	}
	add := func(name, value string) {
		if value != "" {
			d.Fields = append(d.Fields, field{name, cut(value, maxDetailField)})
		}
	}
	if len(l.Path) > maxListField {
		add("path", l.Path)
	}
	add("source", l.Source)
	add("request ID", l.RequestID)
	add("remote address", l.RemoteAddr)
	add("X-Forwarded-For", l.XForwardedFor)
	add("user agent", l.UserAgent)
	if l.Method != "" {
		add("content length", strconv.FormatInt(l.ContentLength, 10))
	}
	add("span ID", l.SpanID)
	for _, f := range wideFields(l) {
		add(f.Name, f.Value)
	}
	if l.Evicted {
		add("evicted", "yes: written while the request was still open")
	}

	total := duration(l)
	for i, line := range l.Lines {
		if i == maxTimelineLines {
			d.More = len(l.Lines) - i
			break
		}
		d.Lines = append(d.Lines, newTimelineLine(l, line, total, events))
	}
	return d
}

// isTraceID reports whether s is a trace ID: 32 hex digits.
func isTraceID(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func newTimelineLine(l *wire.RequestLog, line wire.Line, total float64, events *store) timelineLine {
	t := timelineLine{Offset: "", Kind: "raw", Payload: payloadText(line.Payload)}
	if !line.Timestamp.IsZero() {
		ms := float64(line.Timestamp.Sub(l.Date.Time)) / float64(time.Millisecond)
		t.Offset = fmt.Sprintf("%+.3f ms", ms)
		x := 0.0
		if total > 0 {
			x = ms / total * 100
		}
		switch {
		case ms < 0:
			t.Outside = "before the start"
		case ms > total:
			t.Outside = "after the end"
		}
		t.X = math.Round(min(max(x, 0), 100)*10) / 10
	}
	switch {
	case line.IsEvent():
		t.Kind = "event"
		t.Outbox = line.Outbox
		t.Event = line.EventType
		if line.EventSubtype != "" {
			t.Event += " · " + line.EventSubtype
		}
		if line.EventID != "" {
			t.EventURL = "/events/" + url.PathEscape(line.EventID)
			if m, ok := events.event(line.EventID); ok {
				t.Where = fmt.Sprintf("%s · partition %d · offset %d", m.Topic, m.Partition, m.Offset)
			}
		}
	case line.LogLevel != "":
		t.Level = strings.ToLower(line.LogLevel)
		switch {
		case isError(line):
			t.Kind = "error"
		case t.Level == "warning" || t.Level == "warn":
			t.Kind = "warning"
		case t.Level == "debug":
			t.Kind = "debug"
		default:
			t.Kind = "info"
		}
	default:
		t.Payload = string(line.Raw) // an EmitRaw message: shown as written
	}
	t.Payload = cut(t.Payload, maxLinePayload)
	t.Event = cut(t.Event, maxListField)
	t.Level = cut(t.Level, maxListField)
	return t
}
