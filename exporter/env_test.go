package exporter_test

import (
	"errors"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Precedence: option > environment > default.
func TestConfigurationPrecedence(t *testing.T) {
	tests := []struct {
		name                  string
		env                   map[string]string
		loggingTopic          string
		opts                  []exporter.Option
		wantTopic, wantSource string
	}{
		{"defaults", nil, "logging", nil, "logging", "logging"},
		{"environment", map[string]string{"RELAYER_TOPIC_PREFIX": "p.", "RELAYER_TOPIC_SUFFIX": ".s", "RELAYER_SOURCE": "orders"},
			"logging", nil, "p.logging.s", "orders"},
		{"logging topic from the environment", map[string]string{"RELAYER_LOGGING_TOPIC": "audit"}, "", nil, "audit", "audit"},
		{"argument over the environment", map[string]string{"RELAYER_LOGGING_TOPIC": "audit"}, "logging", nil, "logging", "logging"},
		{"OTEL_SERVICE_NAME is the source", map[string]string{"OTEL_SERVICE_NAME": "checkout"}, "logging", nil, "logging", "checkout"},
		{"RELAYER_SOURCE over OTEL_SERVICE_NAME", map[string]string{"OTEL_SERVICE_NAME": "checkout", "RELAYER_SOURCE": "orders"}, "logging", nil, "logging", "orders"},
		{"options over the environment", map[string]string{"RELAYER_TOPIC_PREFIX": "p.", "RELAYER_SOURCE": "orders", "OTEL_SERVICE_NAME": "checkout"},
			"logging", []exporter.Option{exporter.WithTopicPrefix("q."), exporter.WithSource("billing")}, "q.logging", "billing"},
		// WithSource's doc: WithSource("") is no option, the next in line applies.
		{"WithSource(\"\") leaves RELAYER_SOURCE", map[string]string{"RELAYER_SOURCE": "orders"},
			"logging", []exporter.Option{exporter.WithSource("")}, "logging", "orders"},
		{"WithSource(\"\") leaves OTEL_SERVICE_NAME", map[string]string{"OTEL_SERVICE_NAME": "checkout"},
			"logging", []exporter.Option{exporter.WithSource("")}, "logging", "checkout"},
		{"WithoutEnvironment", map[string]string{"RELAYER_TOPIC_PREFIX": "p.", "OTEL_SERVICE_NAME": "checkout"},
			"logging", []exporter.Option{exporter.WithoutEnvironment()}, "logging", "logging"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"RELAYER_LOGGING_TOPIC", "RELAYER_TOPIC_PREFIX", "RELAYER_TOPIC_SUFFIX", "RELAYER_SOURCE", "OTEL_SERVICE_NAME"} {
				t.Setenv(k, tt.env[k])
			}
			p, err := exporter.New(tt.loggingTopic, otelrelayertest.NewSink(), append(tt.opts, exporter.WithoutDefault())...)
			if err != nil {
				t.Fatal(err)
			}
			defer bridge.Unregister(p)
			defer p.Shutdown(t.Context())
			if p.LoggingTopic() != tt.wantTopic || p.Source() != tt.wantSource {
				t.Errorf("topic %q source %q, want %q and %q", p.LoggingTopic(), p.Source(), tt.wantTopic, tt.wantSource)
			}
		})
	}
}

// Issue 11, point 12: every one wraps exporter.ErrConfiguration.
func TestNewRejectsInvalidArguments(t *testing.T) {
	t.Setenv("RELAYER_LOGGING_TOPIC", "")
	tests := []struct {
		name    string
		topic   string
		nilSink bool
		opts    []exporter.Option
		is      error
	}{
		{"empty logging topic", "", false, nil, bridge.ErrInvalidTopic},
		{"invalid logging topic", "a b", false, nil, bridge.ErrInvalidTopic},
		{"prefix makes it invalid", "logging", false, []exporter.Option{exporter.WithTopicPrefix("a/")}, bridge.ErrInvalidTopic},
		{"nil sink", "logging", true, nil, nil},
		{"tiny max message bytes", "logging", false, []exporter.Option{exporter.WithMaxMessageBytes(10)}, nil},
		{"zero max lines", "logging", false, []exporter.Option{exporter.WithMaxLines(0)}, nil},
		{"negative max request age", "logging", false, []exporter.Option{exporter.WithMaxRequestAge(-1)}, nil},
		{"nil error handler", "logging", false, []exporter.Option{exporter.WithErrorHandler(nil)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sink *otelrelayertest.Sink
			if !tt.nilSink {
				sink = otelrelayertest.NewSink()
			}
			var err error
			if tt.nilSink {
				_, err = exporter.New(tt.topic, nil, tt.opts...)
			} else {
				_, err = exporter.New(tt.topic, sink, tt.opts...)
			}
			if err == nil {
				t.Fatal("New accepted it")
			}
			if !errors.Is(err, exporter.ErrConfiguration) { // issue 11, point 12
				t.Errorf("error %v does not wrap exporter.ErrConfiguration", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v, want it to wrap %v", err, tt.is)
			}
			if sink != nil && len(sink.Topics()) != 0 {
				t.Errorf("something was produced: %v", sink.Topics())
			}
		})
	}
}
