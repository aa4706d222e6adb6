package webview

import (
	"strings"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

// eventPage is the view of an event message.
type eventPage struct {
	page
	ID        string
	Seen      bool
	Topic     string
	Partition int32
	Offset    int64
	Timestamp string
	Key       string
	Headers   []field
	Body      string
	TraceID   string // from the traceparent header
}

func newEventPage(id string, m *tail.Message) eventPage {
	p := eventPage{ID: id}
	if m == nil {
		return p
	}
	p.Seen = true
	p.Topic, p.Partition, p.Offset = m.Topic, m.Partition, m.Offset
	p.Timestamp = m.Timestamp.UTC().Format("2006-01-02 15:04:05.000 UTC")
	p.Key = text(m.Key)
	for _, h := range m.Headers {
		p.Headers = append(p.Headers, field{h.Key, text(h.Value)})
	}
	p.Body = indent(m.Value)
	if tp, ok := m.Header(wire.TraceparentHeader); ok {
		// version-traceid-spanid-flags
		if parts := strings.Split(string(tp), "-"); len(parts) == 4 && len(parts[1]) == 32 {
			p.TraceID = parts[1]
		}
	}
	return p
}
