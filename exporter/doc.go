// Package exporter is the SDK side of otelrelayer: [Processor], an
// OpenTelemetry span processor that writes the events of bridge.Emit at once
// and one request log per local root span to the logging topic. Consumers
// decode the messages with package wire (the aliases [Event] and
// [RequestLog] here are deprecated).
//
// # Installation
//
//	sink, _ := kafkasink.New(kafkasink.WithBrokers("localhost:9092"))
//	p, _ := exporter.New("logging", sink, exporter.WithSource("orders"))
//	tp := sdktrace.NewTracerProvider(
//		sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.01)))),
//		sdktrace.WithSpanProcessor(p),
//		sdktrace.WithBatcher(traceExporter), // traces keep their own sampling rate
//	)
//	otel.SetTracerProvider(tp)
//	defer tp.Shutdown(ctx)
//
// Span processors only see recording spans; sdktrace.AlwaysRecord makes every
// span recording while only the sampled ones reach span exporters, so request
// logs stay at 100%.
//
// # Request logs
//
// A local root is a span whose parent is absent or remote: an HTTP request, an
// RPC call, a consumed message, a job. Lines come from Emit and Log calls whose
// context holds the root or any of its descendants, from any goroutine, in
// the order they happened; exception events and error statuses of any span
// of the request become error lines when that span ends. HTTP roots (a
// server- or internal-kind span with http.request.method or http.method)
// carry the Flask fields of the Python library, read from the stable semantic
// conventions and the older names; other roots (client- and producer-kind
// ones too) carry service (rpc.service.rpc.method, else the span name) and
// service_time. A request log never exceeds [WithMaxMessageBytes]: its fields
// take at most half (shortened and named in truncated_fields), lines that
// would exceed [WithMaxLines] or the size are counted in dropped_lines,
// undelivered events in dropped_events.
//
// Request logs are wide events: HTTP ones add route (http.route, or
// otelhttp's span name "{method} {route}"), RPC ones rpc_status_code and
// rpc_status (rpc.response.status_code, else rpc.grpc.status_code), and any
// may carry attributes: the fields set with bridge.SetAttributes from
// anywhere in the request, then the root span's attributes that are not a
// field (all but the connection's by default, see
// [WithRootAttributePrefixes]), credentials never, [WithRedactedKeys]
// masked, bounded by [WithMaxAttributes] and [WithMaxAttributeBytes], what
// is left out counted in dropped_attributes.
//
// A context whose span has ended still adds to its request until the root
// ends (a goroutine outliving its child span; up to 1,024 ended children a
// request, live ones not counted). Once the request has ended, a Log, an
// event's line or the errors of a span ending late go into a one-line
// message marked "late":true with the request's service and root IDs; a Log
// outside any request writes one marked "outside_request":true. Nothing is
// lost silently. A root that never ends is evicted after
// [WithMaxRequestAge].
//
// # Several processors
//
// Every Processor on a tracer provider gets every event and line of its
// spans, as every span processor sees every span (a dual write to two
// clusters); removing one (TracerProvider.UnregisterSpanProcessor shuts it
// down) leaves the others working.
//
// # Failures
//
// A failure the caller can receive is returned (the buffer full before Emit
// returned, a WithAck answer). Every later one reaches the error handler
// ([WithErrorHandler]), or Shutdown's error while Shutdown runs, whatever
// meter provider is installed. Errors are prefixed "exporter:".
package exporter
