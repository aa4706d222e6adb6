package exporter

import (
	"encoding/hex"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/internal/jsonenc"
	sc "github.com/otelrelayer/otelrelayer/internal/semconvkeys"
)

// The encoders below append JSON with the field order of the wire format
// fixed, each payload copied in already encoded.

// appendEvent appends an event message:
// {"source","event_type","event_subtype","payload","timestamp"}.
func appendEvent(dst []byte, source, eventType, subtype string, payload []byte, ts time.Time) []byte {
	dst = append(dst, `{"source":`...)
	dst = jsonenc.AppendString(dst, source)
	dst = append(dst, `,"event_type":`...)
	dst = jsonenc.AppendString(dst, eventType)
	dst = append(dst, `,"event_subtype":`...)
	dst = jsonenc.AppendString(dst, subtype)
	dst = append(dst, `,"payload":`...)
	dst = append(dst, payload...)
	dst = append(dst, `,"timestamp":`...)
	dst = jsonenc.AppendTime(dst, ts)
	return append(dst, '}')
}

// appendLogLine appends a log line: {"log_level","payload","timestamp"}.
func appendLogLine(dst []byte, level string, payload []byte, ts time.Time) []byte {
	dst = append(dst, `{"log_level":`...)
	dst = jsonenc.AppendString(dst, level)
	dst = append(dst, `,"payload":`...)
	dst = append(dst, payload...)
	dst = append(dst, `,"timestamp":`...)
	dst = jsonenc.AppendTime(dst, ts)
	return append(dst, '}')
}

// appendErrorLines appends an error line for each exception event of s, and
// one for an error status when s recorded no exception: the errors of every
// span of a request reach its log.
func appendErrorLines(dst []byte, s sdktrace.ReadOnlySpan, emit func(line []byte)) []byte {
	sawException := false
	for _, ev := range s.Events() {
		if ev.Name != sc.ExceptionEvent {
			continue
		}
		sawException = true
		start := len(dst)
		dst = append(dst, `{"log_level":"error","payload":{"span":`...)
		dst = jsonenc.AppendString(dst, s.Name())
		for _, kv := range ev.Attributes {
			switch kv.Key {
			case sc.ExceptionType, sc.ExceptionMessage, sc.ExceptionStacktrace:
				dst = append(dst, ',')
				dst = jsonenc.AppendString(dst, string(kv.Key))
				dst = append(dst, ':')
				dst = jsonenc.AppendString(dst, kv.Value.String())
			}
		}
		dst = append(dst, `},"timestamp":`...)
		dst = jsonenc.AppendTime(dst, ev.Time)
		dst = append(dst, '}')
		emit(dst[start:])
	}
	if st := s.Status(); st.Code == codes.Error && !sawException {
		start := len(dst)
		dst = append(dst, `{"log_level":"error","payload":{"span":`...)
		dst = jsonenc.AppendString(dst, s.Name())
		dst = append(dst, `,"status":`...)
		dst = jsonenc.AppendString(dst, st.Description)
		dst = append(dst, `},"timestamp":`...)
		dst = jsonenc.AppendTime(dst, s.EndTime())
		dst = append(dst, '}')
		emit(dst[start:])
	}
	return dst
}

// requestHead is what a request log says besides its lines.
type requestHead struct {
	source, loggingTopic string
	start                time.Time
	elapsed              time.Duration
	info                 rootInfo
	service              string // RPC and other roots
	span                 trace.SpanContext
	// parent is the root span's remote parent (the upstream service's
	// span that called it), invalid when the root has none.
	parent trace.SpanContext
	// A one-line message, not a request's log: late holds a line or
	// errors that arrived after their request's log was written;
	// outside, a Log outside any request.
	late, outside bool
	// truncated names the fields fitHead shortened.
	truncated []string
	// attributes is `,"attributes":{…}` as encoded, or empty; it holds
	// attributeCount attributes, droppedAttributes were left out.
	attributes                        []byte
	attributeCount, droppedAttributes int
}

// appendRequestHead appends a request log up to and including `"lines":[`.
// A negative duration (a root backdated from a skewed clock) is written as 0.
func appendRequestHead(dst []byte, h *requestHead) []byte {
	elapsed := max(h.elapsed, 0)
	dst = append(dst, `{"source":`...)
	dst = jsonenc.AppendString(dst, h.source)
	dst = append(dst, `,"logging_topic":`...)
	dst = jsonenc.AppendString(dst, h.loggingTopic)
	dst = append(dst, `,"date":`...)
	dst = jsonenc.AppendTime(dst, h.start)
	if h.info.kind == kindHTTP {
		ri := &h.info
		dst = appendField(dst, `,"user_agent":`, ri.userAgent)
		dst = appendField(dst, `,"method":`, ri.method)
		dst = appendField(dst, `,"path":`, ri.path)
		// WSGI always has a QUERY_STRING: absent means empty.
		dst = append(dst, `,"query_string":`...)
		dst = jsonenc.AppendString(dst, ri.query.value)
		dst = appendField(dst, `,"remote_addr":`, ri.remote)
		dst = appendField(dst, `,"x_forwarded_for":`, ri.forwardedFor)
		dst = appendField(dst, `,"request_id":`, ri.requestID)
		dst = appendInt(dst, `,"status":`, ri.status)
		dst = appendInt(dst, `,"content_length":`, ri.contentLength)
		dst = append(dst, `,"request_time":`...)
		dst = jsonenc.AppendMillis(dst, elapsed)
		if ri.route.set { // added keys: absent when unknown
			dst = append(dst, `,"route":`...)
			dst = jsonenc.AppendString(dst, ri.route.value)
		}
	} else {
		dst = append(dst, `,"service":`...)
		dst = jsonenc.AppendString(dst, h.service)
		dst = append(dst, `,"service_time":`...)
		dst = jsonenc.AppendMillis(dst, elapsed)
		if st := &h.info.rpcStatus; h.info.kind == kindRPC && st.hasValue {
			if st.hasCode {
				dst = append(dst, `,"rpc_status_code":`...)
				dst = strconv.AppendInt(dst, st.code, 10)
			}
			dst = append(dst, `,"rpc_status":`...)
			dst = jsonenc.AppendString(dst, st.name)
		}
	}
	if h.span.IsValid() {
		dst = append(dst, `,"trace_id":"`...)
		tid, sid := h.span.TraceID(), h.span.SpanID()
		dst = hex.AppendEncode(dst, tid[:])
		dst = append(dst, `","span_id":"`...)
		dst = hex.AppendEncode(dst, sid[:])
		dst = append(dst, '"')
	}
	if h.parent.IsValid() && h.parent.IsRemote() {
		dst = append(dst, `,"parent_span_id":"`...)
		psid := h.parent.SpanID()
		dst = hex.AppendEncode(dst, psid[:])
		dst = append(dst, '"')
	}
	dst = append(dst, h.attributes...)
	if h.droppedAttributes > 0 {
		dst = append(dst, `,"dropped_attributes":`...)
		dst = strconv.AppendInt(dst, int64(h.droppedAttributes), 10)
	}
	if h.late {
		dst = append(dst, `,"late":true`...)
	}
	if h.outside {
		dst = append(dst, `,"outside_request":true`...)
	}
	if len(h.truncated) > 0 {
		dst = append(dst, `,"truncated_fields":[`...)
		for i, name := range h.truncated {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonenc.AppendString(dst, name)
		}
		dst = append(dst, ']')
	}
	return append(dst, `,"lines":[`...)
}

// appendRequestTail closes a request log opened by appendRequestHead.
func appendRequestTail(dst []byte, droppedLines, droppedEvents int, evicted bool, sampleRate []byte) []byte {
	dst = append(dst, `],"dropped_lines":`...)
	dst = strconv.AppendInt(dst, int64(droppedLines), 10)
	dst = append(dst, `,"dropped_events":`...)
	dst = strconv.AppendInt(dst, int64(droppedEvents), 10)
	if evicted {
		dst = append(dst, `,"evicted":true`...)
	}
	if sampleRate != nil {
		dst = append(append(dst, `,"sample_rate":`...), sampleRate...)
	}
	return append(dst, '}')
}

func appendField(dst []byte, name string, f field) []byte {
	dst = append(dst, name...)
	if !f.set {
		return append(dst, "null"...)
	}
	return jsonenc.AppendString(dst, f.value)
}

func appendInt(dst []byte, name string, f intField) []byte {
	dst = append(dst, name...)
	if !f.set {
		return append(dst, "null"...)
	}
	return strconv.AppendInt(dst, f.value, 10)
}
