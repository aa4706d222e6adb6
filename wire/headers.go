package wire

// Header names of the messages otelrelayer writes. Every message carries
// [EventIDHeader]; [TraceparentHeader] only when the emitting span is valid
// (an Emit or a Log outside any span writes none), [TracestateHeader] only
// when that span has a trace state. With the
// exporter's CloudEvents option, messages also carry the CloudEvents
// binary-mode headers (the CE… constants and [ContentTypeHeader]).
const (
	// EventIDHeader holds a message's ID: a UUIDv7 in its 36-character
	// text form, unique to the message. Request log lines that are events
	// repeat it as event_id.
	EventIDHeader = "relayer-event-id"
	// TraceparentHeader holds the W3C trace context of the span that
	// wrote the message (for a request log, its root span).
	TraceparentHeader = "traceparent"
	// TracestateHeader holds the W3C trace state of that span, when set.
	TracestateHeader = "tracestate"
	// OutboxWrittenAtHeader is set by the outbox relay on the messages it
	// publishes: when the event was written into the outbox table, inside
	// its transaction (RFC 3339 UTC with microseconds). The commit follows
	// within the transaction, so the time from this to the broker's
	// timestamp is the outbox delay, bounded above.
	OutboxWrittenAtHeader = "relayer-outbox-written-at"
	// ReplayOfHeader is set on a message the web view re-produced
	// (relayview -allow-replay): it holds the event ID of the original
	// message, and the replayed message has an event ID of its own.
	ReplayOfHeader = "relayer-replay-of"

	CESpecVersionHeader = "ce_specversion" // "1.0"
	CEIDHeader          = "ce_id"          // the same ID as EventIDHeader
	CESourceHeader      = "ce_source"      // the source of the message
	CETypeHeader        = "ce_type"        // the event type, the EmitRaw topic, or RequestLogType
	CESubjectHeader     = "ce_subject"     // the event subtype, when set
	CETimeHeader        = "ce_time"        // when the message was written, RFC 3339 UTC
	ContentTypeHeader   = "content-type"   // "application/json"
)

// RequestLogType is the CloudEvents type (the [CETypeHeader] value) of
// request logs.
const RequestLogType = "otelrelayer.request_log"
