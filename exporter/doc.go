// Package exporter is the SDK side of otelrelayer: [Processor], an
// OpenTelemetry span processor that writes the events of bridge.Emit at once
// and one request log per local root span to the logging topic, and the wire
// types [Event] and [RequestLog] that consumers decode.
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
// of the request become error lines when that span ends. HTTP roots (a span
// with http.request.method or http.method) carry the Flask fields of the
// Python library, read from the stable semantic conventions and the older
// names; other roots carry service (rpc.service.rpc.method, else the span
// name) and service_time. Lines that would exceed [WithMaxLines] or
// [WithMaxMessageBytes] are counted in dropped_lines, undelivered events in
// dropped_events.
//
// A context whose span has ended still adds to its request until the root
// ends (a goroutine outliving its child span; up to 1,024 ended children a
// request). Once the request has ended, Log writes a one-line request log of
// its own and Emit still writes its event: nothing is lost silently. A root
// that never ends is evicted after [WithMaxRequestAge].
package exporter
