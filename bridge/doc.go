// Package bridge is otelrelayer's API: what a service calls on the context it
// already has. It depends on the OpenTelemetry API only; the pipeline that
// writes to Kafka lives in package exporter, as the SDK does in
// OpenTelemetry.
//
// # Calls
//
// [Emit] writes a domain event to Kafka at once, on the topic named after its
// type; [EmitRaw] writes a message as is; [Log] adds a line to the current
// request's log. Each also becomes a span event on the active span
// (relayer.emit, relayer.log) and a line of the request log that the
// exporter writes when the request's local root span ends.
// [SetAttributes] adds fields to the request's log ("attributes"), from any
// goroutine or child span holding its context, never to the active span;
// it reaches pipelines that implement [AttributeSetter].
//
// # Which pipeline
//
// A call reaches the pipelines bound to the tracer provider of the span in its
// context (a processor binds itself when it sees its first span start; with
// several processors on one provider, each gets every call, see [Bind]),
// else the default pipeline (the one registered last, see [Register]). With
// neither, calls return [ErrNotInstalled]. A nil context means
// context.Background().
//
// # Errors
//
// Input is validated before anything is produced: a call that returns one of
// the sentinel errors wrote nothing. Delivery is asynchronous unless
// [WithAck] is given; without it, delivery failures go to the exporter's
// error handler. With WithAck, an error wrapping the context's error means
// the caller stopped waiting: the event may still be delivered (see [Emit]).
// Errors are prefixed "bridge:" (the pipeline's own, "exporter:").
//
// # Conversions
//
//   - payloads are encoded once, byte for byte as encoding/json encodes them
//     without HTML escaping (map keys sorted, a nil map or slice as null,
//     []byte as base64, json.Marshaler honoured, json.RawMessage compacted);
//     NaN, infinities, channels, functions, cycles and empty or invalid
//     json.RawMessage are refused with [ErrNonJSONSerializable].
//   - partition keys: a string's bytes, a []byte as is, a uuid.UUID's 16
//     bytes, as the Python library wrote them.
package bridge
