package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/otelrelayer/otelrelayer/wire"
)

// What the account prints, as relaytail -v prints it: an event on one row,
// a request log on one row, then its metadata and a row per line. Values
// come from Kafka: anything not printable is shown quoted, so that no
// control sequence reaches the terminal.

// style says how rows are printed: with ANSI colours or not.
type style struct{ color bool }

func (s style) paint(sgr, text string) string {
	if !s.color || text == "" {
		return text
	}
	return "\x1b[" + sgr + "m" + text + "\x1b[0m"
}

// eventRow is an event on one row: time, type/subtype, payload, source and
// event ID.
func eventRow(e *wire.Event, eventID string, s style) string {
	return fmt.Sprintf("%s  %s  %s  %s  %s\n", clock(e.Timestamp.Time), s.paint("36", "event"),
		s.paint("1", safe(e.EventType)+"/"+safe(e.EventSubtype)), compact(e.Payload),
		s.paint("2", "source="+safe(e.Source)+" event_id="+safe(eventID)))
}

// requestLogRows is a request log's row (time, status, duration, method,
// path, lines, trace ID), its metadata, and a row per line.
func requestLogRows(l *wire.RequestLog, s style) string {
	var b strings.Builder
	status := "---"
	if l.Status != 0 {
		status = strconv.Itoa(l.Status)
	}
	path := l.Path
	if l.QueryString != "" {
		path += "?" + l.QueryString
	}
	fmt.Fprintf(&b, "%s  %s  %8s  %s %s  %s  %s\n", clock(l.Date.Time), s.paint(statusColor(l.Status), status),
		millis(l.RequestTime), s.paint("1", safe(l.Method)), safe(path), plural(len(l.Lines), "line"), s.paint("2", safe(l.TraceID)))

	var meta []string
	for _, f := range [][2]string{
		{"source", l.Source}, {"span_id", l.SpanID}, {"remote_addr", l.RemoteAddr}, {"x_forwarded_for", l.XForwardedFor},
		{"request_id", l.RequestID}, {"user_agent", l.UserAgent}, {"content_length", strconv.FormatInt(l.ContentLength, 10)},
	} {
		if f[1] != "" && f[1] != "0" {
			meta = append(meta, s.paint("2", f[0]+"=")+safe(f[1]))
		}
	}
	b.WriteString("    " + strings.Join(meta, " ") + "\n")

	for _, line := range l.Lines {
		offset := "+" + millis(float64(line.Timestamp.Sub(l.Date.Time))/float64(time.Millisecond))
		fmt.Fprintf(&b, "    %9s  ", offset)
		switch {
		case line.IsEvent():
			fmt.Fprintf(&b, "%s  %s  %s  %s", s.paint("36", "event  "), s.paint("1", safe(line.EventType)+"/"+safe(line.EventSubtype)),
				compact(line.Payload), s.paint("2", "event_id="+safe(line.EventID)))
		default:
			b.WriteString(s.paint(levelColor(line.LogLevel), fmt.Sprintf("%-7s", safe(line.LogLevel))) + "  " + compact(line.Payload))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func statusColor(status int) string {
	switch {
	case status >= 500:
		return "31;1"
	case status >= 400:
		return "33"
	}
	return "32"
}

func levelColor(level string) string {
	switch strings.ToLower(level) {
	case "error", "critical":
		return "31"
	case "warning", "warn":
		return "33"
	case "debug":
		return "2"
	}
	return "32"
}

func clock(t time.Time) string { return t.Local().Format("15:04:05.000") }

// millis shows milliseconds with about three significant digits: 299µs,
// 2.9ms, 1.25s.
func millis(ms float64) string {
	switch {
	case ms < 1:
		return fmt.Sprintf("%.0fµs", ms*1000)
	case ms < 1000:
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.2fs", ms/1000)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// compact is JSON on one row, its non-printable characters escaped.
func compact(v json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return safe(string(v))
	}
	return safe(b.String())
}

// safe returns s, or s quoted when it holds anything a terminal would not
// print as is (control, format and invalid characters).
func safe(s string) string {
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 {
		return strconv.QuoteToGraphic(s)
	}
	return s
}
