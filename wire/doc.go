// Package wire holds the formats otelrelayer writes to Kafka, for consumers
// that decode them: [Event] (the body of an event message), [RequestLog]
// (the body of a request log) with its [Line]s, the [Time] of their
// timestamps, and the names of the headers every message carries
// ([EventIDHeader], [TraceparentHeader], ...).
//
// The package imports only the standard library, so a consumer decodes our
// messages without pulling in the OpenTelemetry SDK or a Kafka client:
//
//	var l wire.RequestLog
//	if err := json.Unmarshal(record.Value, &l); err != nil { ... }
//
// The types decode the messages of the Python library 1.x as well. The
// formats are a contract: keys are only ever added, never renamed or removed.
// JSON Schema documents of both bodies, for consumers in other languages
// and for validating messages, are [EventSchema] and [RequestLogSchema].
package wire
