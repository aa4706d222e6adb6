// Package kafkasink is otelrelayer's transport: the [Message] it produces, the
// [Sink] interface the exporter writes through, and [Producer], a franz-go
// client that implements it.
//
// # Producer defaults
//
// [New] builds a franz-go client with franz-go's defaults (idempotent writes,
// acks=all, 10ms linger, 50,000 buffered records) plus automatic topic
// creation: otelrelayer names topics after event types, so a topic appears
// the first time an event of its type is emitted when the cluster allows it
// (auto.create.topics.enable). Any franz-go option given with
// [WithClientOptions] is applied after these and wins.
//
// # Debug log
//
// Every produced message is logged at [slog.LevelDebug] to the logger given
// with [WithLogger] (default [slog.Default]), with its topic, key and value,
// the development setting of the Python library. Nothing is formatted unless
// the logger has Debug enabled.
package kafkasink
