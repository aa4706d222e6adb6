// Package demo holds what the example programs share: an embedded broker
// (or KAFKA_BROKERS), the otelrelayer pipeline, and printing topics back.
package demo

import (
	"fmt"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// Brokers returns KAFKA_BROKERS, or starts an embedded kfake broker; stop
// closes it.
func Brokers() (brokers []string, stop func(), err error) {
	if env := os.Getenv("KAFKA_BROKERS"); env != "" {
		brokers := strings.Split(env, ",")
		for i := range brokers {
			brokers[i] = strings.TrimSpace(brokers[i])
		}
		return brokers, func() {}, nil
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		return nil, nil, fmt.Errorf("starting the embedded broker: %w", err)
	}
	return c.ListenAddrs(), c.Close, nil
}

// Install builds the pipeline (a Kafka sink, the otelrelayer processor, a
// tracer provider recording every span) and installs it as the global tracer
// provider, with W3C trace context as the global propagator. Shut the
// provider down to write what is pending.
func Install(brokers []string, source string, opts ...sdktrace.TracerProviderOption) (*sdktrace.TracerProvider, *exporter.Processor, error) {
	sinkOpts := []kafkasink.Option{kafkasink.WithBrokers(brokers...)}
	if os.Getenv("KAFKA_BROKERS") == "" {
		// The embedded broker is plaintext: KAFKA_TLS or KAFKA_SASL_* left
		// in the shell must not apply to it.
		sinkOpts = append(sinkOpts, kafkasink.WithoutEnvironment())
	}
	if SpoolDir != "" {
		sinkOpts = append(sinkOpts, kafkasink.WithSpool(SpoolDir))
	}
	sink, err := kafkasink.New(sinkOpts...)
	if err != nil {
		return nil, nil, err
	}
	relayer, err := exporter.New("logging", sink, exporter.WithSource(source))
	if err != nil {
		return nil, nil, err
	}
	tp := sdktrace.NewTracerProvider(append([]sdktrace.TracerProviderOption{
		// AlwaysRecord: every request gets its request log, whatever the
		// trace sampling rate.
		sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.ParentBased(sdktrace.AlwaysSample()))),
		sdktrace.WithSpanProcessor(relayer),
	}, opts...)...)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	return tp, relayer, nil
}
