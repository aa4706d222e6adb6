package consolefmt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/otelrelayer/otelrelayer/cmd/internal/termtext"

	"github.com/otelrelayer/otelrelayer/internal/ansi"
	"github.com/otelrelayer/otelrelayer/wire"
)

// Options says how messages are printed.
type Options struct {
	Verbose  bool           // request logs: a row per line of the request, and the request's metadata
	Color    bool           // ANSI colours
	Location *time.Location // of the times shown; nil is UTC
}

// RequestLog renders l as one line (time, status or service and RPC
// status, duration, method, path and route, lines, trace ID), followed with o.Verbose by a row of
// metadata and a row per line. The result ends with a newline.
func RequestLog(l *wire.RequestLog, o Options) string {
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	p := ansi.Painter{On: o.Color}
	var b strings.Builder

	b.WriteString(l.Date.In(loc).Format("15:04:05.000"))
	b.WriteString("  ")
	isHTTP := l.Method != ""
	ms := l.ServiceTime
	if isHTTP {
		ms = l.RequestTime
		b.WriteString(p.Paint(statusColor(l.Status), statusText(l.Status)))
	} else {
		b.WriteString(p.Paint(ansi.Blue, orDash(printable(l.Service))))
		if st := rpcStatus(l, p); st != "" {
			b.WriteString(" " + st)
		}
	}
	fmt.Fprintf(&b, "  %8s", formatMillis(ms))
	if isHTTP {
		b.WriteString("  ")
		b.WriteString(p.Paint(ansi.Bold, printable(l.Method)))
		b.WriteString(" ")
		b.WriteString(orDash(printable(l.Path)))
		if l.QueryString != "" {
			b.WriteString("?" + printable(l.QueryString))
		}
		if l.Route != "" && l.Route != l.Path {
			b.WriteString(" " + p.Paint(ansi.Faint, "("+printable(l.Route)+")"))
		}
	}
	b.WriteString("  ")
	b.WriteString(linesSummary(l, p))
	if l.TraceID != "" {
		b.WriteString("  ")
		b.WriteString(p.Paint(ansi.Faint, printable(l.TraceID)))
	}
	b.WriteString("\n")

	if o.Verbose {
		writeMetadata(&b, l, p)
		for _, line := range l.Lines {
			writeLine(&b, l, line, p)
		}
	}
	return b.String()
}

func statusText(status int) string {
	if status == 0 {
		return "---"
	}
	return strconv.Itoa(status)
}

func statusColor(status int) string {
	switch {
	case status >= 500:
		return ansi.Red + ansi.Bold
	case status >= 400:
		return ansi.Yellow
	case status >= 300:
		return ansi.Cyan
	case status >= 100:
		return ansi.Green
	}
	return ansi.Faint
}

// formatMillis shows a duration given in milliseconds with about three
// significant digits: 299µs, 2.9ms, 1.25s.
func formatMillis(ms float64) string { return Millis(ms, "") }

// Millis shows a duration given in milliseconds with about three
// significant digits, sep between number and unit: 299µs, 2.9ms, 1.25s
// with sep "", "299 µs" with sep " ". Not a number: "?".
func Millis(ms float64, sep string) string {
	switch {
	case math.IsNaN(ms) || math.IsInf(ms, 0):
		return "?"
	case math.Abs(ms) < 1:
		return fmt.Sprintf("%.0f%sµs", ms*1000, sep)
	case math.Abs(ms) < 1000:
		return fmt.Sprintf("%.1f%sms", ms, sep)
	}
	return fmt.Sprintf("%.2f%ss", ms/1000, sep)
}

// linesSummary is "3 lines", with the error lines and the dropped lines
// when there are any: "3 lines (1 error) +5 dropped".
func linesSummary(l *wire.RequestLog, p ansi.Painter) string {
	s := plural(len(l.Lines), "line")
	nErrors := 0
	for _, line := range l.Lines {
		if isErrorLevel(line.LogLevel) {
			nErrors++
		}
	}
	if nErrors > 0 {
		s += " (" + p.Paint(ansi.Red, plural(nErrors, "error")) + ")"
	}
	if l.DroppedLines > 0 {
		s += " " + p.Paint(ansi.Yellow, fmt.Sprintf("+%d dropped", l.DroppedLines))
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// writeMetadata writes the request's other fields, as name=value with the
// wire names, skipping the empty ones.
func writeMetadata(b *strings.Builder, l *wire.RequestLog, p ansi.Painter) {
	fields := []struct{ name, value string }{
		{"source", l.Source},
		{"span_id", l.SpanID},
		{"remote_addr", l.RemoteAddr},
		{"x_forwarded_for", l.XForwardedFor},
		{"request_id", l.RequestID},
		{"user_agent", l.UserAgent},
	}
	if l.ContentLength != 0 {
		fields = append(fields, struct{ name, value string }{"content_length", strconv.FormatInt(l.ContentLength, 10)})
	}
	fields = append(fields, wideFields(l)...)
	var parts []string
	for _, f := range fields {
		if f.value == "" {
			continue
		}
		v := f.value
		if strings.ContainsAny(v, " \"=") || !isPrintable(v) {
			v = quote(v)
		}
		parts = append(parts, p.Paint(ansi.Faint, f.name+"=")+v)
	}
	if len(parts) > 0 {
		b.WriteString("    " + strings.Join(parts, " ") + "\n")
	}
}

// writeLine writes one line of the request: its time since the request
// started, its kind (the log level, "event" or "raw") and its content.
func writeLine(b *strings.Builder, l *wire.RequestLog, line wire.Line, p ansi.Painter) {
	offset := ""
	if !line.Timestamp.IsZero() && !l.Date.IsZero() {
		offset = "+" + formatMillis(float64(line.Timestamp.Sub(l.Date.Time))/float64(time.Millisecond))
	}
	fmt.Fprintf(b, "    %9s  ", offset)
	switch {
	case line.IsEvent():
		b.WriteString(p.Paint(ansi.Cyan, fmt.Sprintf("%-7s", "event")))
		b.WriteString("  " + p.Paint(ansi.Bold, printable(line.EventType)+"/"+printable(line.EventSubtype)))
		b.WriteString("  " + compactJSON(line.Payload))
		if line.EventID != "" {
			b.WriteString("  " + p.Paint(ansi.Faint, "event_id="+printable(line.EventID)))
		}
	case line.LogLevel != "":
		b.WriteString(p.Paint(levelColor(line.LogLevel), fmt.Sprintf("%-7s", printable(line.LogLevel))))
		b.WriteString("  " + logPayload(line.Payload))
	default: // an EmitRaw message
		b.WriteString(p.Paint(ansi.Magenta, fmt.Sprintf("%-7s", "raw")))
		b.WriteString("  " + compactJSON(line.Raw))
	}
	b.WriteString("\n")
}

func isErrorLevel(level string) bool {
	switch strings.ToLower(level) {
	case "error", "critical", "fatal", "exception":
		return true
	}
	return false
}

func levelColor(level string) string {
	switch {
	case isErrorLevel(level):
		return ansi.Red
	case strings.HasPrefix(strings.ToLower(level), "warn"):
		return ansi.Yellow
	case strings.EqualFold(level, "debug"):
		return ansi.Faint
	}
	return ansi.Green
}

// logPayload shows a string payload as its text when it fits on one row,
// and any other payload as compact JSON.
func logPayload(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil && isPrintable(s) && s != "" {
		return s
	}
	return compactJSON(raw)
}

func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "null"
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return printable(string(raw))
	}
	return escapeControls(b.String())
}

// isPrintable reports whether s is valid UTF-8 without control or other
// non-printable characters (a space is printable).
func isPrintable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// printable returns s when the terminal shows it as written, and else s
// quoted, its hidden characters made visible by [termtext.Escape]: the
// values of a message, whoever wrote it, never reach the terminal as
// control sequences or as bidirectional and invisible format characters
// (an HTTP path holds what the client percent-encoded, such as "\x1b[2J"
// for /%1b%5b2J).
func printable(s string) string {
	if termtext.Clean(s) {
		return s
	}
	return quote(s)
}

// quote is s between double quotes, its quotes and backslashes escaped,
// then passed through termtext.Escape.
func quote(s string) string {
	return `"` + termtext.Escape(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)) + `"`
}

// escapeControls escapes the hidden characters JSON allows unescaped in
// strings (DEL, C1, bidirectional and other format characters) and invalid
// UTF-8, keeping valid JSON valid: in valid compact JSON, such characters
// only occur inside strings.
func escapeControls(j string) string {
	if termtext.Clean(j) {
		return j
	}
	var b strings.Builder
	for i, r := range j {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(j[i:], string(utf8.RuneError)):
			b.WriteString(`\ufffd`)
		case termtext.IsHidden(r):
			if r > 0xFFFF {
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
