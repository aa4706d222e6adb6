package exporter_test

import (
	"encoding/json"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// newTracerProvider builds a pipeline over sink that is not the default.
func newTracerProvider(t testing.TB, sink kafkasink.Sink, opts ...exporter.Option) *sdktrace.TracerProvider {
	t.Helper()
	tp, _ := otelrelayertest.Pipeline(t, sink, append([]exporter.Option{exporter.WithoutDefault()}, opts...)...)
	return tp
}

// requestLogs decodes the request logs among msgs.
func requestLogs(t *testing.T, msgs []kafkasink.Message) []wire.RequestLog {
	t.Helper()
	var logs []wire.RequestLog
	for _, m := range msgs {
		var l wire.RequestLog
		if err := json.Unmarshal(m.Value, &l); err != nil {
			t.Fatalf("request log %s: %v", m.Value, err)
		}
		logs = append(logs, l)
	}
	return logs
}

// byTopic returns the messages of msgs to topic, in order.
func byTopic(msgs []kafkasink.Message, topic string) []kafkasink.Message {
	var out []kafkasink.Message
	for _, m := range msgs {
		if m.Topic == topic {
			out = append(out, m)
		}
	}
	return out
}
