package otelrelayertest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/consolesink"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/propagation"
)

// Issue 11, point 5: every With… option of every package, given nil or its
// zero value, behaves one documented way: the default (the call works), or
// an error from New wrapping the package's ErrConfiguration. Never a panic.
func TestNilAndZeroOptions(t *testing.T) {
	const (
		isDefault = "the default"
		isError   = "an error from New"
	)
	tests := []struct {
		name string
		want string
		run  func(t *testing.T) error // exercises the option; returns New's error
	}{
		// bridge
		{"bridge.WithHTTPPropagator(nil)", isDefault, func(t *testing.T) error {
			return serveHTTP(t, bridge.WithHTTPPropagator(nil))
		}},
		{"bridge.WithTracerProvider(nil) for HTTPHandler", isDefault, func(t *testing.T) error {
			return serveHTTP(t, bridge.WithTracerProvider(nil))
		}},
		{"nil bridge.HTTPOption", isDefault, func(t *testing.T) error { return serveHTTP(t, nil) }},
		{"bridge.WithTracerProvider(nil) for RPC", isDefault, func(t *testing.T) error {
			return callRPC(t, bridge.WithTracerProvider(nil))
		}},
		{"nil bridge.RPCOption", isDefault, func(t *testing.T) error { return callRPC(t, nil) }},
		{"bridge.WithPartitionKey([]byte(nil))", isDefault, func(t *testing.T) error {
			return emitWith(t, bridge.WithPartitionKey([]byte(nil)))
		}},
		{"bridge.WithPartitionKey(\"\")", isDefault, func(t *testing.T) error { return emitWith(t, bridge.WithPartitionKey("")) }},
		{"zero bridge.EmitOption", isDefault, func(t *testing.T) error { return emitWith(t, bridge.EmitOption{}) }},

		// exporter
		{"exporter.WithTopicPrefix(\"\")", isDefault, exporterWith(exporter.WithTopicPrefix(""))},
		{"exporter.WithTopicSuffix(\"\")", isDefault, exporterWith(exporter.WithTopicSuffix(""))},
		{"exporter.WithSource(\"\")", isDefault, exporterWith(exporter.WithSource(""))},
		{"exporter.WithLogger(nil)", isDefault, exporterWith(exporter.WithLogger(nil))},
		{"exporter.WithErrorHandler(nil)", isError, exporterWith(exporter.WithErrorHandler(nil))},
		{"exporter.WithPropagator(nil)", isDefault, exporterWith(exporter.WithPropagator(nil))},
		{"exporter.WithMaxMessageBytes(0)", isError, exporterWith(exporter.WithMaxMessageBytes(0))},
		{"exporter.WithMaxLines(0)", isError, exporterWith(exporter.WithMaxLines(0))},
		{"exporter.WithMaxRequestAge(0)", isDefault, exporterWith(exporter.WithMaxRequestAge(0))},
		{"exporter.WithMeterProvider(nil)", isDefault, exporterWith(exporter.WithMeterProvider(nil))},
		{"exporter.WithRedactedKeys()", isDefault, exporterWith(exporter.WithRedactedKeys())},
		{"exporter.WithRedactedKeys(\"\")", isDefault, exporterWith(exporter.WithRedactedKeys(""))},
		{"nil exporter.Option", isDefault, exporterWith(nil)},

		// kafkasink
		{"kafkasink.WithBrokers()", isError, producerWith(false, kafkasink.WithBrokers())},
		{"kafkasink.WithBrokers(\"\")", isError, producerWith(false, kafkasink.WithBrokers(""))},
		{"kafkasink.WithClientOptions()", isDefault, producerWith(true, kafkasink.WithClientOptions())},
		{"kafkasink.WithClientOptions(nil)", isDefault, producerWith(true, kafkasink.WithClientOptions(nil))},
		{"kafkasink.WithLogger(nil)", isDefault, producerWith(true, kafkasink.WithLogger(nil))},
		{"kafkasink.WithMaxBufferedRecords(0)", isError, producerWith(true, kafkasink.WithMaxBufferedRecords(0))},
		{"kafkasink.WithMaxBufferedBytes(0)", isError, producerWith(true, kafkasink.WithMaxBufferedBytes(0))},
		{"kafkasink.WithDeliveryTimeout(0)", isDefault, producerWith(true, kafkasink.WithDeliveryTimeout(0))},
		{"kafkasink.WithTLS(nil)", isError, producerWith(true, kafkasink.WithTLS(nil))},
		{"kafkasink.WithSASLPlain(\"\", \"\")", isError, producerWith(true, kafkasink.WithSASLPlain("", ""))},
		{"kafkasink.WithSASLScramSHA256(\"\", \"\")", isError, producerWith(true, kafkasink.WithSASLScramSHA256("", ""))},
		{"kafkasink.WithSASLScramSHA512(\"\", \"\")", isError, producerWith(true, kafkasink.WithSASLScramSHA512("", ""))},
		{"nil kafkasink.Option", isDefault, producerWith(true, nil)},
		{"consolesink.New(nil)", isDefault, func(t *testing.T) error {
			return produceTo(t, consolesink.New(nil))
		}},
		{"consolesink.WithColor(false), WithCompact(false), nil Option", isDefault, func(t *testing.T) error {
			return produceTo(t, consolesink.New(discard{}, consolesink.WithColor(false), consolesink.WithCompact(false), nil))
		}},

		// propagation
		{"propagation.WithPropagator(nil)", isDefault, func(t *testing.T) error {
			var r kgo.Record
			propagation.Inject(t.Context(), &r, propagation.WithPropagator(nil), nil)
			_ = propagation.Extract(t.Context(), &r, propagation.WithPropagator(nil), nil)
			return nil
		}},
		{"propagation consumer options: nil and zero", isDefault, func(t *testing.T) error {
			rec := otelrelayertest.Patch(t)
			r := &kgo.Record{Topic: "orders"}
			ctx, span := propagation.StartProcessSpan(t.Context(), r, propagation.WithConsumerGroup(""),
				propagation.WithTracerProvider(nil), propagation.WithConsumerPropagator(nil), nil)
			span.End()
			if n := len(rec.RequestLogs()); n != 1 { // the global provider: rec's
				return fmt.Errorf("%d request logs of the processing span", n)
			}
			if !trace.SpanContextFromContext(ctx).IsValid() {
				return errors.New("no span started")
			}
			return nil
		}},

		// otelrelayertest
		{"otelrelayertest.New(t, nil)", isDefault, func(t *testing.T) error {
			rec := otelrelayertest.New(t, nil)
			ctx, span := rec.Tracer().Start(t.Context(), "job")
			err := bridge.Log(ctx, "info", "x")
			span.End()
			return err
		}},
		{"otelrelayertest.Cluster(t, nil)", isDefault, func(t *testing.T) error {
			if len(otelrelayertest.Cluster(t, nil, kfake.NumBrokers(1))) == 0 {
				return errors.New("no broker")
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panic: %v", r)
					}
				}()
				err = tt.run(t)
			}()
			switch tt.want {
			case isDefault:
				if err != nil {
					t.Fatalf("want %s, got %v", tt.want, err)
				}
			case isError:
				if !errors.Is(err, exporter.ErrConfiguration) && !errors.Is(err, kafkasink.ErrConfiguration) {
					t.Fatalf("want %s wrapping ErrConfiguration, got %v", tt.want, err)
				}
			}
		})
	}
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

// serveHTTP serves one request through HTTPHandler with opts and checks
// that its request log was written.
func serveHTTP(t *testing.T, opts ...bridge.HTTPOption) error {
	rec := otelrelayertest.Patch(t) // the global provider is the default
	h := bridge.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = bridge.Log(r.Context(), "info", "served")
	}), opts...)
	req := httptest.NewRequest(http.MethodGet, "/x", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		return fmt.Errorf("status %d", w.Code)
	}
	if n := len(rec.RequestLogs()); n != 1 {
		return fmt.Errorf("%d request logs", n)
	}
	return nil
}

func callRPC(t *testing.T, opts ...bridge.RPCOption) error {
	rec := otelrelayertest.Patch(t)
	call := bridge.RPC("Handler.method", func(ctx context.Context, n int) (int, error) {
		return n, bridge.Log(ctx, "info", "called")
	}, opts...)
	if _, err := call(t.Context(), 1); err != nil {
		return err
	}
	if n := len(rec.RequestLogs()); n != 1 {
		return fmt.Errorf("%d request logs", n)
	}
	return nil
}

func emitWith(t *testing.T, opt bridge.EmitOption) error {
	rec := otelrelayertest.New(t)
	ctx, span := rec.Tracer().Start(t.Context(), "job")
	defer span.End()
	if err := bridge.Emit(ctx, "orders", "created", 1, opt); err != nil {
		return err
	}
	if len(rec.Messages("orders")) != 1 {
		return errors.New("no event")
	}
	return nil
}

// exporterWith builds a processor with opt and writes one request, with an
// event, through it.
func exporterWith(opt exporter.Option) func(t *testing.T) error {
	return func(t *testing.T) error {
		sink := otelrelayertest.NewSink()
		p, err := exporter.New("logging", sink, exporter.WithoutDefault(), exporter.WithoutEnvironment(), opt)
		if err != nil {
			return err
		}
		t.Cleanup(func() { bridge.Unregister(p) })
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
		defer tp.Shutdown(context.Background())
		ctx, span := tp.Tracer("t").Start(t.Context(), "job")
		if err := bridge.Emit(ctx, "orders", "created", 1); err != nil {
			return err
		}
		span.End()
		events, logs := sink.Messages("orders"), sink.Messages("logging")
		if len(events) != 1 || len(logs) != 1 {
			return fmt.Errorf("%d events and %d request logs, want 1 and 1", len(events), len(logs))
		}
		for _, h := range events[0].Headers {
			if h.Key == "traceparent" {
				return nil
			}
		}
		return errors.New("no traceparent header: the default propagator is W3C trace context")
	}
}

// producerWith builds a producer with opt (and the embedded broker when
// brokers is set) and produces one message through it.
func producerWith(brokers bool, opt kafkasink.Option) func(t *testing.T) error {
	return func(t *testing.T) error {
		opts := []kafkasink.Option{kafkasink.WithoutEnvironment()}
		if brokers {
			opts = append(opts, kafkasink.WithBrokers(otelrelayertest.Cluster(t)...))
		}
		p, err := kafkasink.New(append(opts, opt)...)
		if err != nil {
			return err
		}
		return produceTo(t, p)
	}
}

func produceTo(t *testing.T, s kafkasink.Sink) error {
	done := make(chan error, 1)
	s.Produce(t.Context(), kafkasink.Message{Topic: "orders", Value: []byte(`{}`)}, func(err error) { done <- err })
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	defer s.Close(ctx)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
