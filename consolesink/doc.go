// Package consolesink is a [kafkasink.Sink] for development without Kafka:
// it prints every message (topic, key, headers, the JSON value indented)
// instead of producing it, as OpenTelemetry's stdouttrace prints spans
// instead of exporting them.
//
//	relayer, err := exporter.New("logging", consolesink.New(os.Stdout))
//
// [WithCompact] prints one line per message, [WithColor] adds ANSI colours.
// It writes in the caller's goroutine: it is for development, not for
// production traffic.
package consolesink
