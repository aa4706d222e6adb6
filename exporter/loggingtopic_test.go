package exporter_test

import (
	"encoding/json"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// Issue 11, point 8: as in the Python library, logging_topic is the logging
// topic as given, without prefix and suffix, while source defaults to the
// full topic and the request log is written to the full topic.
func TestLoggingTopicFieldIsTheNameWithoutPrefixAndSuffix(t *testing.T) {
	sink := otelrelayertest.NewSink()
	tp := newTracerProvider(t, sink, exporter.WithoutEnvironment(), exporter.WithTopicPrefix("py_"), exporter.WithTopicSuffix("_v1"))
	ctx, root := tp.Tracer("t").Start(t.Context(), "job")
	if err := bridge.Log(ctx, "info", "in a request"); err != nil {
		t.Fatal(err)
	}
	root.End()
	if err := bridge.Log(ctx, "info", "after the request: a one-line request log"); err != nil {
		t.Fatal(err)
	}
	msgs := sink.Messages("py_logging_v1")
	if len(msgs) != 2 {
		t.Fatalf("no request log on py_logging_v1; topics %v", sink.Topics())
	}
	for _, m := range msgs {
		var l wire.RequestLog
		if err := json.Unmarshal(m.Value, &l); err != nil {
			t.Fatal(err)
		}
		if l.LoggingTopic != "logging" || l.Source != "py_logging_v1" {
			t.Errorf("logging_topic %q source %q, want %q and %q (Python relayer's fields)", l.LoggingTopic, l.Source, "logging", "py_logging_v1")
		}
	}
}
