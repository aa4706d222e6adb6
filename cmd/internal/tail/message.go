package tail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/otelrelayer/otelrelayer/wire"
)

// Kind says what a message's value is.
type Kind uint8

const (
	// KindOther is a value that is neither a request log nor an event:
	// not JSON, JSON of another shape (an EmitRaw message, another
	// application's message), or one that does not decode.
	KindOther Kind = iota
	// KindRequestLog is a request log ([wire.RequestLog]).
	KindRequestLog
	// KindEvent is an event message ([wire.Event]).
	KindEvent
	// KindSkipped is no record but records skipped: a batch of the
	// partition, from Offset to SkippedTo, decompresses to more than
	// [MaxBatchBytes]. NotOurs says so; Timestamp is when it was found.
	KindSkipped
)

// String returns "other", "request log", "event" or "skipped records".
func (k Kind) String() string {
	switch k {
	case KindRequestLog:
		return "request log"
	case KindEvent:
		return "event"
	case KindSkipped:
		return "skipped records"
	}
	return "other"
}

// Header is a record header.
type Header struct {
	Key   string
	Value []byte
}

// Message is one record read from Kafka and what its value is.
type Message struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte // nil when the record has no key
	Headers   []Header
	Value     []byte
	Timestamp time.Time // the record's timestamp

	Kind       Kind
	RequestLog *wire.RequestLog // set when Kind is KindRequestLog
	Event      *wire.Event      // set when Kind is KindEvent
	NotOurs    string           // when Kind is KindOther or KindSkipped: why, e.g. "not JSON"
	SkippedTo  int64            // when Kind is KindSkipped: the last offset skipped
}

// Time is the moment a message is about: a request log's date (when the
// request started), an event's timestamp, or else the record's timestamp.
// Messages are ordered by it.
func (m *Message) Time() time.Time {
	switch {
	case m.Kind == KindRequestLog && !m.RequestLog.Date.IsZero():
		return m.RequestLog.Date.Time
	case m.Kind == KindEvent && !m.Event.Timestamp.IsZero():
		return m.Event.Timestamp.Time
	}
	return m.Timestamp
}

// Header returns the value of the message's last header named key.
func (m *Message) Header(key string) (value []byte, ok bool) {
	for i := len(m.Headers) - 1; i >= 0; i-- {
		if m.Headers[i].Key == key {
			return m.Headers[i].Value, true
		}
	}
	return nil, false
}

// Decode classifies value and decodes it: it sets m's Kind, RequestLog,
// Event and NotOurs from value (it does not set m.Value).
func Decode(m *Message, value []byte) {
	m.Kind, m.RequestLog, m.Event, m.NotOurs = KindOther, nil, nil, ""
	t := bytes.TrimLeft(value, " \t\r\n")
	if len(t) == 0 {
		m.NotOurs = "an empty value"
		return
	}
	if t[0] != '{' {
		if json.Valid(value) {
			m.NotOurs = "JSON, but not an object"
		} else {
			m.NotOurs = "not JSON"
		}
		return
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(value, &keys); err != nil {
		m.NotOurs = "not JSON: " + err.Error()
		return
	}
	_, date := keys["date"]
	_, lines := keys["lines"]
	_, eventType := keys["event_type"]
	_, timestamp := keys["timestamp"]
	switch {
	case date && lines:
		var l wire.RequestLog
		if err := json.Unmarshal(value, &l); err != nil {
			m.NotOurs = fmt.Sprintf("a request log that does not decode: %v", err)
			return
		}
		m.Kind, m.RequestLog = KindRequestLog, &l
	case eventType && timestamp && !lines:
		var e wire.Event
		if err := json.Unmarshal(value, &e); err != nil {
			m.NotOurs = fmt.Sprintf("an event that does not decode: %v", err)
			return
		}
		m.Kind, m.Event = KindEvent, &e
	default:
		m.NotOurs = "a JSON object without the keys of a request log (date, lines) or of an event (event_type, timestamp)"
	}
}
