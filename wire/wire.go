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
// any JSON value. Raw always holds the line as written. An EmitRaw message
// marked unacknowledged (see Unacknowledged) gets the key when it is an
// object, and is wrapped as {"message":value,"unacknowledged":true} when it
// is any other JSON value.
//
// Error lines are log lines with level "error" whose payload names the span:
// one per exception event,
//
//	{"span":"name","exception.type":…,"exception.message":…,"exception.stacktrace":…}
//
// (each exception key present when the event has it), and, for a span that
// ended with an error status and recorded no exception,
//
//	{"span":"name","status":"the status description"}
type Line struct {
	Source       string          `json:"source,omitempty"`
	EventType    string          `json:"event_type,omitempty"`
	EventSubtype string          `json:"event_subtype,omitempty"`
	LogLevel     string          `json:"log_level,omitempty"`
	Payload      json.RawMessage `json:"payload,omitempty"`
	Timestamp    Time            `json:"timestamp"`
	EventID      string          `json:"event_id,omitempty"` // events: the relayer-event-id header
	// Outbox is true on an event written to the transactional outbox
	// (outbox.WithTx): it is published if and only if its transaction
	// commits.
	Outbox bool `json:"outbox,omitempty"`
	// Unacknowledged is true on an event whose Emit asked for the broker's
	// acknowledgement (WithAck) and returned without it: the caller stopped
	// waiting, or the event waits in the spool. It was handed to the
	// producer; if it fails later, dropped_events counts it.
	Unacknowledged bool            `json:"unacknowledged,omitempty"`
	Raw            json.RawMessage `json:"-"`
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
// fields (Method is set) and write the ones the request did not have as
// JSON null (query_string as ""); RPC and other roots fill Service and
// ServiceTime instead. Decoded, absent and null fields are zero.
//
// Two kinds of message are not a request's log but share its form, with
// one line, service_time 0, and date the line's time:
//
//   - Late (Late is true): a Log, or the errors of a span, that came after
//     the request's log was written (a goroutine outliving its request, a
//     child span ending after its root, an evicted root ending). Service is
//     the request's, TraceID and SpanID its root's: join on them.
//   - Outside any request (OutsideRequest is true): a Log whose context holds
//     no span of a request (or one the processor no longer remembers).
//     Service is "", TraceID and SpanID are the span's when the context holds
//     one, absent otherwise.
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
	// Route is the route of an HTTP request (http.route: the path of the
	// ServeMux pattern, "/orders/{id}"); absent when the instrumentation did not
	// know it. Not written by the Python library.
	Route string `json:"route,omitempty"`

	Service     string  `json:"service,omitempty"`
	ServiceTime float64 `json:"service_time,omitempty"` // milliseconds
	// RPCStatusCode and RPCStatus are the status of an RPC call, apart
	// from HTTP's Status: the numeric code (gRPC's: 0 OK, 5 NOT_FOUND…)
	// and its name ("NOT_FOUND"), from rpc.response.status_code or the
	// older rpc.grpc.status_code. RPCStatusCode is nil when the code was not
	// numeric nor a gRPC name; both are absent when the instrumentation
	// recorded no status. Not written by the Python library.
	RPCStatusCode *int   `json:"rpc_status_code,omitempty"`
	RPCStatus     string `json:"rpc_status,omitempty"`

	TraceID string `json:"trace_id,omitempty"`
	SpanID  string `json:"span_id,omitempty"`
	// ParentSpanID is the root span's remote parent: the span of the
	// upstream service that called this one (from the incoming
	// traceparent), absent when the root has no remote parent. Joined
	// with SpanID of other request logs of the trace, it builds the
	// cross-service waterfall. Not written by the Python library.
	ParentSpanID string `json:"parent_span_id,omitempty"`
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
	// Late is true on a message holding a line or errors that came after
	// their request's log was written (see above). Not written by the
	// Python library.
	Late bool `json:"late,omitempty"`
	// OutsideRequest is true on a message holding a Log that belonged to
	// no request (see above). Not written by the Python library.
	OutsideRequest bool `json:"outside_request,omitempty"`
	// TruncatedFields names the fields (as their JSON keys) that were
	// shortened so that the request log fits the maximum message size: the
	// fields take at most half of it, the longest shortened first, before
	// any line is left out. Not written by the Python library.
	TruncatedFields []string `json:"truncated_fields,omitempty"`
	// Attributes are the request's wide fields, flat dotted keys as in
	// OpenTelemetry, each value as written (a JSON string, number, bool,
	// array or object): the fields set with bridge.SetAttributes, then the
	// root span's attributes that are not already a field above. Values of
	// keys in WithRedactedKeys are "[REDACTED]"; credentials are never
	// written. See [RequestLog.Attribute]. Not written by the Python
	// library.
	Attributes map[string]json.RawMessage `json:"attributes,omitempty"`
	// DroppedAttributes counts the attributes the request log's bounds
	// left out. Not written by the Python library.
	DroppedAttributes int `json:"dropped_attributes,omitempty"`
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
		return fmt.Errorf("wire: timestamp: %w", err)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("wire: timestamp %q is neither RFC 3339 nor Python isoformat", s)
}
