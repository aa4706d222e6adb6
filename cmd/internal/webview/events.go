package webview

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

// eventsPage is the event browser: the topics of the held events, or the
// events of one topic, newest first, that pass a search.
type eventsPage struct {
	page
	Topics     []topicCount // without a topic
	MoreTopics int
	Topic      string
	Q          string
	Error      string
	Rows       []eventRow
	More       int // matches beyond maxListRows
	ExportURL  string
	Keys       []string // the search's keys, for its help
}

// eventRow is an event in the event browser.
type eventRow struct {
	URL       string
	ID        string
	Time      string
	Type      string // type · subtype
	Key       string
	Partition int32
	Offset    int64
	Outbox    bool
	Payload   string // cut at maxListField
}

func (v *View) serveEvents(w http.ResponseWriter, r *http.Request) {
	p := eventsPage{page: page{v.bounds()}, Topic: r.URL.Query().Get("topic"), Keys: tail.QueryHelp(tail.KindEvent)}
	status := http.StatusOK
	q, text, err := parseEventFilter(r.URL.Query())
	p.Q = text
	switch {
	case p.Topic == "":
		p.Topics, p.MoreTopics = v.store.eventTopics(maxListRows)
		if err == nil && text != "" {
			err = fmt.Errorf("choose a topic to search its events")
		}
		if err != nil {
			p.Error, status = err.Error(), http.StatusBadRequest
		}
	case err != nil:
		p.Error, status = err.Error(), http.StatusBadRequest
		p.Topics, p.MoreTopics = v.store.eventTopics(maxListRows)
	default:
		if !v.store.hasEventTopic(p.Topic) {
			p.Topics, p.MoreTopics = v.store.eventTopics(maxListRows)
			p.Error, status = fmt.Sprintf("topic %q: no event of it is held; the topics held are listed below", p.Topic), http.StatusNotFound
			break
		}
		ms, more := v.store.eventsOf(p.Topic, q.MatchEvent, maxListRows)
		for _, m := range ms {
			p.Rows = append(p.Rows, newEventRow(m))
		}
		p.More = more
		p.ExportURL = "/export/events?" + url.Values{"topic": {p.Topic}, "q": {text}}.Encode()
	}
	v.render(w, status, "events", p)
}

func newEventRow(m *tail.Message) eventRow {
	id := eventID(m)
	r := eventRow{
		URL:       "/events/" + url.PathEscape(id),
		ID:        cut(id, maxListField),
		Time:      m.Time().UTC().Format("2006-01-02 15:04:05.000"),
		Key:       cut(text(m.Key), maxListField),
		Partition: m.Partition,
		Offset:    m.Offset,
		Payload:   cut(payloadText(m.Event.Payload[:min(len(m.Event.Payload), 4*maxListField)]), maxListField),
	}
	r.Type = m.Event.EventType
	if m.Event.EventSubtype != "" {
		r.Type += " · " + m.Event.EventSubtype
	}
	r.Type = cut(r.Type, maxListField)
	_, r.Outbox = m.Header(wire.OutboxWrittenAtHeader)
	return r
}

// eventID is the message's relayer-event-id header (held events have one).
func eventID(m *tail.Message) string {
	id, _ := m.Header(wire.EventIDHeader)
	return string(id)
}
