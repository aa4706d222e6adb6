// Package propagation carries OpenTelemetry context (W3C trace context, and
// baggage when the propagator includes it) in Kafka record headers: [Carrier]
// is a TextMapCarrier over a record's headers, [Inject] and [Extract] apply a
// propagator to a [kgo.Record].
//
// Header keys are written exactly as the propagator names them (traceparent,
// tracestate, baggage); Set replaces an existing header of the same key
// rather than adding a second one.
package propagation
