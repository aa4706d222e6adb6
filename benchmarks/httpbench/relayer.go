package main

import (
	"context"
	"errors"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// newRelayer is the library as the README's service uses it: kafkasink and
// exporter with their defaults (an error handler counts failed deliveries,
// so that none passes unseen), otelhttp outside bridge.HTTPHandler, the
// handler calling bridge.Emit and bridge.Log.
func newRelayer(brokers []string) (*service, error) {
	sink, err := kafkasink.New(kafkasink.WithBrokers(brokers...))
	if err != nil {
		return nil, err
	}
	s := &service{messagesPerRequest: 2}
	p, err := exporter.New("logging", sink, exporter.WithSource("orders"),
		exporter.WithErrorHandler(func(error) { s.failed.Add(1) }))
	if err != nil {
		return nil, errors.Join(err, sink.Close(context.Background()))
	}
	tp := newTracerProvider(p)
	s.flush = func(ctx context.Context) error {
		return errors.Join(tp.ForceFlush(ctx), s.checkFailures())
	}
	s.close = func(ctx context.Context) error {
		err := tp.Shutdown(ctx)
		bridge.Unregister(p)
		return errors.Join(err, s.checkFailures())
	}
	s.handler = otelhttp.NewHandler(bridge.HTTPHandler(s.handle(relayerRecorder{})), "api", otelhttp.WithTracerProvider(tp))
	return s, nil
}

// relayerRecorder calls the library.
type relayerRecorder struct{}

func (relayerRecorder) emit(ctx context.Context, eventType, eventSubtype, key string, payload any) error {
	return bridge.Emit(ctx, eventType, eventSubtype, payload, bridge.WithPartitionKey(key))
}

func (relayerRecorder) log(ctx context.Context, level string, payload any) error {
	return bridge.Log(ctx, level, payload)
}
