package webview

import (
	"net/url"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

// eventPage is the view of an event message.
type eventPage struct {
	page
	ID          string
	Seen        bool
	Topic       string
	Partition   int32
	Offset      int64
	Timestamp   string
	Key         string
	Headers     []field
	Body        shown
	RawURL      string // the whole record, as written
	MoreHeaders int    // headers not shown, beyond maxHeaders
	TraceID     string // from the traceparent header
	ReplayOf    string // the relayer-replay-of header: the event this one replays
	OutboxDelay string // from the relayer-outbox-written-at header to the record's timestamp, "" without it
	EmitterURL  string // the request log that emitted it, "" when not held
	Emitter     row
	// EmitterElsewhere: held request logs name it, all of another trace
	// than the event's traceparent, so none is shown as its emitter.
	EmitterElsewhere bool
	ReplayURL        string // "" without replay
	ReplayToken      string
	ReplayAt         string // the shown message's place, replayAt: the replay refuses another
}

// maxHeaders bounds the headers an event's page shows.
const maxHeaders = 64

func newEventPage(id string, m *tail.Message) eventPage {
	p := eventPage{ID: id}
	if m == nil {
		return p
	}
	p.Seen = true
	p.Topic, p.Partition, p.Offset = m.Topic, m.Partition, m.Offset
	p.Timestamp = m.Timestamp.UTC().Format("2006-01-02 15:04:05.000 UTC")
	p.Key = cut(text(m.Key), maxDetailField)
	for i, h := range m.Headers {
		if i == maxHeaders {
			p.MoreHeaders = len(m.Headers) - i
			break
		}
		p.Headers = append(p.Headers, field{cut(h.Key, maxListField), cut(text(h.Value), maxDetailField)})
	}
	p.Body = pretty(m.Value)
	p.RawURL = "/raw/events/" + url.PathEscape(id)
	if v, ok := m.Header(wire.ReplayOfHeader); ok {
		p.ReplayOf = cut(text(v), maxListField)
	}
	if v, ok := m.Header(wire.OutboxWrittenAtHeader); ok {
		p.OutboxDelay = outboxDelay(string(v), m.Timestamp)
	}
	if tp, ok := m.Header(wire.TraceparentHeader); ok {
		// version-traceid-spanid-flags
		if parts := strings.Split(string(tp), "-"); len(parts) == 4 && len(parts[1]) == 32 {
			p.TraceID = parts[1]
		}
	}
	return p
}

// outboxDelay is the time from the outbox row's write (the header) to the
// broker's timestamp of the record: how long the event waited in the
// outbox. A header that is no time is shown as such.
func outboxDelay(writtenAt string, timestamp time.Time) string {
	t, err := time.Parse(time.RFC3339Nano, writtenAt)
	if err != nil {
		return "unknown: the header holds no RFC 3339 time"
	}
	d := timestamp.Sub(t)
	ms := float64(d) / float64(time.Millisecond)
	if d < 0 {
		return formatMillis(-ms) + " before the write (clocks differ)"
	}
	return formatMillis(ms) + " from the outbox write to the broker"
}
