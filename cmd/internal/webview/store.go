package webview

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

// emitterEntry is what an entry of store.emitters costs: its key and
// requestID, and the map's slack.
const emitterEntry = 160

// size is what a message costs in memory: its bytes, and what the decoded
// request log or event holds besides (a request log line keeps its JSON
// and its payload apart, so a log of large lines takes about three times
// its size), with some overhead per value.
func size(m *tail.Message) int {
	n := len(m.Topic) + len(m.Key) + len(m.Value) + 128
	for _, h := range m.Headers {
		n += len(h.Key) + len(h.Value) + 32
	}
	if l := m.RequestLog; l != nil {
		n += 256 + len(l.Source) + len(l.LoggingTopic) + len(l.UserAgent) + len(l.Method) + len(l.Path) +
			len(l.QueryString) + len(l.RemoteAddr) + len(l.XForwardedFor) + len(l.RequestID) + len(l.Service) +
			len(l.TraceID) + len(l.SpanID) + len(l.ParentSpanID)
		for _, line := range l.Lines {
			n += 160 + len(line.Raw) + len(line.Payload) + len(line.Source) + len(line.EventType) +
				len(line.EventSubtype) + len(line.LogLevel) + len(line.EventID)
			if line.EventID != "" {
				n += emitterEntry
			}
		}
	}
	if e := m.Event; e != nil {
		n += 96 + len(e.Payload) + len(e.Source) + len(e.EventType) + len(e.EventSubtype)
	}
	return n
}

// request is a decoded request log and the record it came in.
type request struct {
	id       requestID
	seq      uint64 // the order in which the store got it, from 1
	msg      tail.Message
	log      *wire.RequestLog // msg.RequestLog
	received time.Time        // when the view got it
}

// maxClockSkew is how far in the future of its arrival a request log's
// date may be before the view takes it for forged: a request log is
// written when its request ends, so its date is in the past.
const maxClockSkew = 5 * time.Minute

// forged reports whether the request log claims a date in the future of
// its arrival.
func (r *request) forged() bool { return r.log.Date.After(r.received.Add(maxClockSkew)) }

// at is when the request log is listed: its date, or its arrival when the
// date is forged, so that a forged date cannot push it above the others.
func (r *request) at() time.Time {
	if r.forged() {
		return r.received
	}
	return r.log.Date.Time
}

// requestID names a request log by where it is on Kafka, so that its URL
// outlives a restart of the view.
type requestID struct {
	topic     string
	partition int32
	offset    int64
}

// store holds the newest request logs, ordered by their date, and the newest
// event messages by event ID. It is safe for concurrent use.
type store struct {
	maxRequests, maxEvents int
	maxRequestBytes        int
	maxEventBytes          int

	mu           sync.Mutex
	requests     []*request // by request.at, oldest first
	arrivals     []*request // in the order they arrived, oldest first
	byID         map[requestID]*request
	requestBytes int
	emitters     map[string]requestID     // event ID → the held request log whose line names it
	events       map[string]*tail.Message // by the relayer-event-id header
	eventOrder   []string                 // arrival order, oldest first
	eventBytes   int
	subs         map[chan<- uint64]struct{} // the live streams: sequence numbers of new request logs
	skips        []skip                     // newest last, at most maxSkips
	seq          uint64                     // of the last request log added
}

func newStore(c config) *store {
	return &store{
		maxRequests:     c.maxRequests,
		maxEvents:       c.maxEvents,
		maxRequestBytes: c.maxRequestBytes,
		maxEventBytes:   c.maxEventBytes,
		byID:            make(map[requestID]*request),
		emitters:        make(map[string]requestID),
		events:          make(map[string]*tail.Message),
		subs:            make(map[chan<- uint64]struct{}),
	}
}

// addRequest keeps r, evicting the request logs that arrived first beyond
// the bounds (never by the date a record claims: a producer can forge
// it), and tells the subscribers unless r was evicted at once (larger
// than the bound in bytes). A record seen before is ignored.
func (s *store) addRequest(r *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[r.id]; ok {
		return
	}
	s.seq++
	r.seq = s.seq
	i, _ := slices.BinarySearchFunc(s.requests, r, compareRequests)
	s.requests = slices.Insert(s.requests, i, r)
	s.arrivals = append(s.arrivals, r)
	s.byID[r.id] = r
	for _, l := range r.log.Lines {
		// The first held log that names an event keeps it: anyone who can
		// write to the logging topic can name any event ID, and a forged
		// log comes after the event it copies, hence after its own.
		if _, taken := s.emitters[l.EventID]; l.EventID != "" && !taken {
			s.emitters[l.EventID] = r.id
		}
	}
	s.requestBytes += size(&r.msg)
	evicted := false
	for len(s.arrivals) > 0 && (len(s.arrivals) > s.maxRequests || s.requestBytes > s.maxRequestBytes) {
		old := s.arrivals[0]
		evicted = evicted || old == r
		s.requestBytes -= size(&old.msg)
		delete(s.byID, old.id)
		for _, l := range old.log.Lines {
			if id, ok := s.emitters[l.EventID]; ok && id == old.id {
				delete(s.emitters, l.EventID)
			}
		}
		if i, ok := slices.BinarySearchFunc(s.requests, old, compareRequests); ok {
			s.requests = slices.Delete(s.requests, i, i+1)
		}
		s.arrivals[0] = nil
		s.arrivals = s.arrivals[1:]
	}
	if evicted {
		return
	}
	for ch := range s.subs {
		select {
		case ch <- r.seq:
		default: // a slow page; it reloads when it sees the gap (see View.serveLive)
			delete(s.subs, ch)
			close(ch)
		}
	}
}

// compareRequests orders request logs as the list shows them, oldest
// first: by request.at, then by their place on Kafka.
func compareRequests(a, b *request) int {
	if c := a.at().Compare(b.at()); c != 0 {
		return c
	}
	return compareIDs(a.id, b.id)
}

func compareIDs(a, b requestID) int {
	switch {
	case a.topic != b.topic:
		if a.topic < b.topic {
			return -1
		}
		return 1
	case a.partition != b.partition:
		return int(a.partition - b.partition)
	case a.offset < b.offset:
		return -1
	case a.offset > b.offset:
		return 1
	}
	return 0
}

// addEvent keeps m under its event ID, evicting the oldest events beyond the
// bounds. Messages without the header cannot be linked and are not kept.
func (s *store) addEvent(m *tail.Message) {
	v, ok := m.Header(wire.EventIDHeader)
	id := string(v)
	if !ok || id == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.events[id]; ok {
		s.eventBytes -= size(old) // a duplicate delivery: keep the newer copy
	} else {
		s.eventOrder = append(s.eventOrder, id)
	}
	s.events[id] = m
	s.eventBytes += size(m)
	for len(s.eventOrder) > 0 && (len(s.eventOrder) > s.maxEvents || s.eventBytes > s.maxEventBytes) {
		old := s.eventOrder[0]
		s.eventBytes -= size(s.events[old])
		delete(s.events, old)
		s.eventOrder = s.eventOrder[1:]
	}
}

// newest returns up to limit request logs that pass match, newest first,
// how many more pass it, and the sequence number of the last request log
// added: a page that shows them asks [store.added] for what came after.
func (s *store) newest(match func(*request) bool, limit int) (out []*request, more int, seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.requests) - 1; i >= 0; i-- {
		if r := s.requests[i]; match(r) {
			if len(out) < limit {
				out = append(out, r)
			} else {
				more++
			}
		}
	}
	return out, more, s.seq
}

// added returns the held request logs added after sequence number after and
// up to upTo, in the order they were added.
func (s *store) added(after, upTo uint64) []*request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*request
	for _, r := range s.requests {
		if r.seq > after && r.seq <= upTo {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *request) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// arrived returns the request log with the sequence number seq, if it is
// still kept. A live stream queues sequence numbers, not request logs, so
// that a slow page holds no log the store has evicted.
func (s *store) arrived(seq uint64) (*request, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := slices.BinarySearchFunc(s.arrivals, seq, func(r *request, seq uint64) int { return cmp.Compare(r.seq, seq) })
	if !ok {
		return nil, false
	}
	return s.arrivals[i], true
}

// request returns the request log id, if it is still kept.
func (s *store) request(id requestID) (*request, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byID[id]
	return r, ok
}

// event returns the event message with the event ID id, if it is kept.
func (s *store) event(id string) (*tail.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.events[id]
	return m, ok
}

// counts returns how many request logs and events are kept.
func (s *store) counts() (requests, events int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests), len(s.events)
}

// subscribe returns a channel that receives every request log added from now
// on, the sequence number of the last one added before, and a function that
// ends the subscription. The store closes the channel when the subscriber
// falls behind by more than its buffer.
func (s *store) subscribe() (<-chan uint64, uint64, func()) {
	ch := make(chan uint64, 256)
	s.mu.Lock()
	s.subs[ch] = struct{}{}
	seq := s.seq
	s.mu.Unlock()
	return ch, seq, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.subs[ch]; ok {
			delete(s.subs, ch)
			close(ch)
		}
	}
}

// skip is a marker row of the list: records the tail skipped.
type skip struct {
	Topic     string
	Partition int32
	From, To  int64 // offsets
	Time      string
	Why       string
}

// maxSkips bounds the marker rows of skipped records the list shows.
const maxSkips = 20

// addSkip keeps a marker of skipped records, the newest maxSkips.
func (s *store) addSkip(k skip) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skips = append(s.skips, k)
	if len(s.skips) > maxSkips {
		s.skips = slices.Delete(s.skips, 0, len(s.skips)-maxSkips)
	}
}

// skipped returns the markers of skipped records, newest first.
func (s *store) skipped() []skip {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.skips)
	slices.Reverse(out)
	return out
}
