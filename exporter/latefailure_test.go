package exporter_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

var errLateFailure = errors.New("late failure")

// lateFailingSink fails every message about 10ms after Produce returned.
type lateFailingSink struct {
	pending sync.WaitGroup
	failed  atomic.Int64
}

func (s *lateFailingSink) Produce(_ context.Context, _ kafkasink.Message, done func(error)) {
	s.pending.Add(1)
	time.AfterFunc(10*time.Millisecond, func() {
		defer s.pending.Done()
		s.failed.Add(1)
		done(errLateFailure)
	})
}

func (s *lateFailingSink) Flush(context.Context) error { s.pending.Wait(); return nil }
func (s *lateFailingSink) Close(context.Context) error { s.pending.Wait(); return nil }

func TestEveryLateFailureIsReported(t *testing.T) {
	const requests = 100
	meterProviders := []struct {
		name string
		mp   func() metric.MeterProvider
	}{
		{"no-op meter provider", func() metric.MeterProvider { return noop.NewMeterProvider() }},
		{"SDK meter provider", func() metric.MeterProvider {
			return sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		}},
	}
	paths := []struct {
		name string
		opts []exporter.Option
		// request runs one request that emits one event; it returns when
		// the request's log has been handed to the sink.
		request func(ctx context.Context, tp *sdktrace.TracerProvider) error
	}{
		{"event without WithAck and its request log", nil, func(ctx context.Context, tp *sdktrace.TracerProvider) error {
			ctx, span := tp.Tracer("t").Start(ctx, "job")
			defer span.End()
			return bridge.Emit(ctx, "created", "job", 1)
		}},
		{"event after the caller stopped waiting and its request log", nil, func(ctx context.Context, tp *sdktrace.TracerProvider) error {
			ctx, span := tp.Tracer("t").Start(ctx, "job")
			defer span.End()
			gaveUp, cancel := context.WithCancel(ctx)
			cancel()
			if err := bridge.Emit(gaveUp, "created", "job", 1, bridge.WithAck()); !errors.Is(err, context.Canceled) {
				return errors.New("Emit with a done context: want context.Canceled")
			}
			return nil
		}},
		{"event and the log of its evicted request", []exporter.Option{exporter.WithMaxRequestAge(20 * time.Millisecond)}, func(ctx context.Context, tp *sdktrace.TracerProvider) error {
			ctx, _ = tp.Tracer("t").Start(ctx, "never ends") //nolint:spancheck // evicted
			return bridge.Emit(ctx, "created", "job", 1)
		}},
	}
	for _, mp := range meterProviders {
		for _, path := range paths {
			t.Run(mp.name+"/"+path.name, func(t *testing.T) {
				sink := &lateFailingSink{}
				var reported atomic.Int64
				opts := append([]exporter.Option{
					exporter.WithoutDefault(),
					exporter.WithMeterProvider(mp.mp()),
					exporter.WithErrorHandler(func(err error) {
						if errors.Is(err, errLateFailure) {
							reported.Add(1)
						}
					}),
				}, path.opts...)
				p, err := exporter.New("logging", sink, opts...)
				if err != nil {
					t.Fatal(err)
				}
				tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
				for range requests {
					if err := path.request(t.Context(), tp); err != nil {
						t.Fatal(err)
					}
				}
				// Every message is an event or a request log: wait until
				// the sink has failed all of them, then until the
				// handler has seen every report.
				for sink.failed.Load() < 2*requests {
					time.Sleep(5 * time.Millisecond)
				}
				if err := p.ForceFlush(t.Context()); err != nil {
					t.Fatal(err)
				}
				shutErr := tp.Shutdown(t.Context())
				if got := reported.Load(); got != 2*requests {
					t.Errorf("error handler got %d of %d failures (Shutdown: %v)", got, 2*requests, shutErr)
				}
				if shutErr != nil {
					t.Errorf("Shutdown after every failure was reported: %v", shutErr)
				}
			})
		}
	}
}

func TestFailuresDuringShutdownAreInItsError(t *testing.T) {
	meterProviders := map[string]metric.MeterProvider{
		"no-op meter provider": noop.NewMeterProvider(),
		"SDK meter provider":   sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())),
	}
	for name, mp := range meterProviders {
		t.Run(name, func(t *testing.T) {
			sink := &failingAtCloseSink{}
			p, err := exporter.New("logging", sink, exporter.WithoutDefault(), exporter.WithMeterProvider(mp),
				exporter.WithErrorHandler(func(err error) { t.Errorf("error handler during Shutdown: %v", err) }))
			if err != nil {
				t.Fatal(err)
			}
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
			ctx, _ := tp.Tracer("t").Start(t.Context(), "open at shutdown") //nolint:spancheck // written by Shutdown
			if err := bridge.Emit(ctx, "created", "job", 1); err != nil {
				t.Fatal(err)
			}
			err = tp.Shutdown(t.Context())
			if !errors.Is(err, kafkasink.ErrUndelivered) || !errors.Is(err, errLateFailure) {
				t.Fatalf("Shutdown: %v", err)
			}
			if !strings.Contains(err.Error(), "1 events") || !strings.Contains(err.Error(), "1 request logs") {
				t.Errorf("Shutdown's error does not count the event and the request log: %v", err)
			}
		})
	}
}

// failingAtCloseSink holds every message and fails them all when closed.
type failingAtCloseSink struct {
	mu      sync.Mutex
	pending []func(error)
}

func (s *failingAtCloseSink) Produce(_ context.Context, _ kafkasink.Message, done func(error)) {
	s.mu.Lock()
	s.pending = append(s.pending, done)
	s.mu.Unlock()
}

func (s *failingAtCloseSink) Flush(context.Context) error { return nil }

func (s *failingAtCloseSink) Close(context.Context) error {
	s.mu.Lock()
	pending := s.pending
	s.pending = nil
	s.mu.Unlock()
	for _, done := range pending {
		done(errLateFailure)
	}
	return nil
}
