package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/otelrelayer/otelrelayer/internal/jsonenc"
)

// Event is the JSON body of an event message, as Emit writes it and as the
// Python library 1.x wrote it. Consumers decode it with encoding/json.
type Event struct {
	Source       string          `json:"source"`
	EventType    string          `json:"event_type"`
	EventSubtype string          `json:"event_subtype"`
	Payload      json.RawMessage `json:"payload"`
	Timestamp    Time            `json:"timestamp"`
}

// Line is one entry of a request log's lines: an emitted event (EventType is
// set), a log line (LogLevel is set), or a message of EmitRaw, which may be
// any JSON value. Error lines from exceptions and error statuses are log
// lines with level "error". Raw always holds the line as written.
type Line struct {
	Source       string          `json:"source,omitempty"`
	EventType    string          `json:"event_type,omitempty"`
	EventSubtype string          `json:"event_subtype,omitempty"`
	LogLevel     string          `json:"log_level,omitempty"`
	Payload      json.RawMessage `json:"payload,omitempty"`
	Timestamp    Time            `json:"timestamp"`
	EventID      string          `json:"event_id,omitempty"` // events: the relayer-event-id header
	Outbox       bool            `json:"outbox,omitempty"`   // events written to the outbox (outbox.WithTx): published if and only if their transaction commits
	Raw          json.RawMessage `json:"-"`
}

// IsEvent reports whether the line is an emitted event.
func (l Line) IsEvent() bool { return l.EventType != "" }

// UnmarshalJSON decodes a line; a line that is not a JSON object (an EmitRaw
// message) only fills Raw.
func (l *Line) UnmarshalJSON(b []byte) error {
	*l = Line{Raw: append(json.RawMessage(nil), b...)}
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil
	}
	type plain Line // without this method
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		// An EmitRaw object whose keys have other types than ours.
		return nil
	}
	p.Raw = l.Raw
	*l = Line(p)
	return nil
}

// RequestLog is the JSON body of a request log. HTTP roots fill the HTTP
// fields (Method is set); RPC and other roots fill Service and ServiceTime.
// Fields the request did not have are JSON null on the wire and zero here.
type RequestLog struct {
	Source       string `json:"source"`
	LoggingTopic string `json:"logging_topic"`
	Date         Time   `json:"date"`

	UserAgent     string  `json:"user_agent,omitempty"`
	Method        string  `json:"method,omitempty"`
	Path          string  `json:"path,omitempty"`
	QueryString   string  `json:"query_string,omitempty"`
	RemoteAddr    string  `json:"remote_addr,omitempty"`
	XForwardedFor string  `json:"x_forwarded_for,omitempty"`
	RequestID     string  `json:"request_id,omitempty"`
	Status        int     `json:"status,omitempty"`
	ContentLength int64   `json:"content_length,omitempty"`
	RequestTime   float64 `json:"request_time,omitempty"` // milliseconds

	Service     string  `json:"service,omitempty"`
	ServiceTime float64 `json:"service_time,omitempty"` // milliseconds

	TraceID      string `json:"trace_id,omitempty"`
	SpanID       string `json:"span_id,omitempty"`
	Lines        []Line `json:"lines"`
	DroppedLines int    `json:"dropped_lines"`
	// DroppedEvents counts the request's events that were not delivered:
	// refused when the producer was full, or failed while the request was
	// open. Not written by the Python library.
	DroppedEvents int `json:"dropped_events"`
	// Evicted is true when the root span stayed open longer than
	// WithMaxRequestAge and the log was written without it ending.
	Evicted bool `json:"evicted,omitempty"`
	// SampleRate is present when the writer sampled request logs
	// (exporter.WithRequestLogSampling): the probability this log had of
	// being written, 1 for those always kept (errors, 5xx, slow, dropped
	// lines) and the configured rate for the others. Weighting each log by
	// 1/SampleRate estimates the totals. 0 (absent): every request log was
	// written. Not written by the Python library.
	SampleRate float64 `json:"sample_rate,omitempty"`
}

// Time is a wire-format timestamp. It encodes as UTC with microseconds and a
// Z; it decodes RFC 3339 and the Python library's isoformat() forms, with or
// without fraction and Z (a missing zone means UTC). null decodes as zero.
type Time struct {
	time.Time
}

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	return jsonenc.AppendTime(nil, t.Time), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("timestamp %q is neither RFC 3339 nor Python isoformat", s)
}
