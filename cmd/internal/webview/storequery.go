package webview

import (
	"slices"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
)

// What the pages beyond the list ask the store: the events of a topic, the
// request logs of a trace, the request that emitted an event, and how far
// back what it holds goes.

// emitter returns the first held request log that names the event ID id
// and, when traceID is not empty (the event's traceparent), is of that
// trace: a log of another trace naming it is a forged or broken record.
// elsewhere reports that held logs name it, none of that trace.
func (s *store) emitter(id, traceID string) (r *request, elsewhere, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rid := range s.emitters[id] {
		r, held := s.byID[rid]
		if !held {
			continue
		}
		if traceID == "" || r.log.TraceID == traceID {
			return r, false, true
		}
		elsewhere = true
	}
	return nil, elsewhere, false
}

// eventsOf returns up to limit held events of topic that pass match,
// newest by arrival first, and how many more pass it.
func (s *store) eventsOf(topic string, match func(*tail.Message) bool, limit int) (out []*tail.Message, more int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range slices.Backward(s.eventOrder) {
		m := s.events[id]
		if m.Topic != topic || !match(m) {
			continue
		}
		if len(out) < limit {
			out = append(out, m)
		} else {
			more++
		}
	}
	return out, more
}

// topicCount is an event topic and how many of its events are held.
type topicCount struct {
	Topic  string
	Events int
}

// hasEventTopic reports whether an event of topic is held.
func (s *store) hasEventTopic(topic string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.events {
		if m.Topic == topic {
			return true
		}
	}
	return false
}

// eventTopics returns the first limit topics of the held events by name,
// and how many more there are.
func (s *store) eventTopics(limit int) ([]topicCount, int) {
	s.mu.Lock()
	counts := map[string]int{}
	for _, m := range s.events {
		counts[m.Topic]++
	}
	s.mu.Unlock()
	out := make([]topicCount, 0, len(counts))
	for t, n := range counts {
		out = append(out, topicCount{t, n})
	}
	slices.SortFunc(out, func(a, b topicCount) int { return strings.Compare(a.Topic, b.Topic) })
	if len(out) > limit {
		return out[:limit], len(out) - limit
	}
	return out, 0
}

// ofTrace returns the held request logs of the trace ID, oldest first.
func (s *store) ofTrace(traceID string, limit int) (out []*request, more int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.requests {
		if strings.EqualFold(r.log.TraceID, traceID) {
			if len(out) < limit {
				out = append(out, r)
			} else {
				more++
			}
		}
	}
	return out, more
}

// oldest returns the time of the oldest held request log (by the date
// the list shows it at), zero when none is held.
func (s *store) oldest() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		return time.Time{}
	}
	return s.requests[0].at()
}
