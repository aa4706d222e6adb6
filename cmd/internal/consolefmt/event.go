package consolefmt

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otelrelayer/otelrelayer/internal/ansi"
	"github.com/otelrelayer/otelrelayer/wire"
)

// Event renders an event read from topic as one row: its time, "event",
// type/subtype, compact payload, source, topic (when it is not named after
// the event type) and ID (eventID, the relayer-event-id header; omitted
// when empty). The result ends with a newline.
func Event(topic string, e *wire.Event, eventID string, o Options) string {
	p := ansi.Painter{On: o.Color}
	var b strings.Builder
	b.WriteString(clock(e.Timestamp.Time, o))
	b.WriteString("  " + p.Paint(ansi.Cyan, "event") + "  ")
	b.WriteString(p.Paint(ansi.Bold, printable(e.EventType)+"/"+printable(e.EventSubtype)))
	b.WriteString("  " + compactJSON(e.Payload))
	meta := []string{"source=" + quoteIfNeeded(e.Source)}
	if topic != "" && topic != e.EventType {
		meta = append(meta, "topic="+quoteIfNeeded(topic))
	}
	if eventID != "" {
		meta = append(meta, "event_id="+printable(eventID))
	}
	b.WriteString("  " + p.Paint(ansi.Faint, strings.Join(meta, " ")))
	b.WriteString("\n")
	return b.String()
}

// Other renders a message that is neither an event nor a request log as
// one row: the record's time, topic, partition and offset, and its value
// as compact JSON, as quoted text, or as the number of bytes when binary.
func Other(topic string, partition int32, offset int64, ts time.Time, value []byte, o Options) string {
	p := ansi.Painter{On: o.Color}
	var b strings.Builder
	b.WriteString(clock(ts, o))
	b.WriteString("  " + p.Paint(ansi.Magenta, "message") + "  ")
	b.WriteString(p.Paint(ansi.Bold, printable(topic)) + p.Paint(ansi.Faint, "["+strconv.Itoa(int(partition))+"]@"+strconv.FormatInt(offset, 10)))
	b.WriteString("  ")
	switch {
	case json.Valid(value):
		b.WriteString(compactJSON(value))
	case utf8.Valid(value) && !bytes.ContainsFunc(value, func(r rune) bool { return r < ' ' && r != '\t' }):
		b.WriteString(quote(string(value)))
	default:
		b.WriteString(plural(len(value), "byte") + " of binary data")
	}
	b.WriteString("\n")
	return b.String()
}

func clock(t time.Time, o Options) string {
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("15:04:05.000")
}

func quoteIfNeeded(v string) string {
	if v == "" || strings.ContainsAny(v, " \"=") || !isPrintable(v) {
		return quote(v)
	}
	return v
}
