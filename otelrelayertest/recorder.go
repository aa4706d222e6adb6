package otelrelayertest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/wire"
)

// LoggingTopic is the logging topic of recorders, before prefix and suffix.
const LoggingTopic = "logging"

// Recorder is a complete pipeline for tests: an in-memory [Sink], an
// exporter.Processor writing to it, and a TracerProvider that sends every
// span to the processor (sdktrace.AlwaysRecord over AlwaysSample). It is safe
// for concurrent use.
type Recorder struct {
	t         testing.TB
	sink      *Sink
	processor *exporter.Processor
	provider  *sdktrace.TracerProvider
}

// New returns a Recorder whose processor is reached through the spans of its
// TracerProvider only (it is not the default pipeline), so parallel tests
// stay apart. Start spans with r.TracerProvider() and pass their context to
// Emit and Log. Everything is shut down and unregistered when t ends.
func New(t testing.TB, opts ...exporter.Option) *Recorder {
	t.Helper()
	return newRecorder(t, append(opts, exporter.WithoutDefault()))
}

// Patch is New, installed for the whole process: the processor becomes the
// default pipeline and the recorder's TracerProvider the one behind the
// global provider, so code under test that uses otel.Tracer (package-level
// tracers included) and Emit on any context is recorded. Both are restored
// when t ends. Tests that call Patch must not run in parallel.
//
// The global provider is a switching provider installed once per process:
// otel.GetTracerProvider() returns it, not r.TracerProvider(), and the spans
// it starts are r.TracerProvider()'s.
func Patch(t testing.TB, opts ...exporter.Option) *Recorder {
	t.Helper()
	r := newRecorder(t, opts)
	t.Cleanup(installGlobal(r.provider))
	return r
}

func newRecorder(t testing.TB, opts []exporter.Option) *Recorder {
	t.Helper()
	sink := NewSink()
	tp, p := Pipeline(t, sink, opts...)
	return &Recorder{t: t, sink: sink, processor: p, provider: tp}
}

// Pipeline is the pipeline of a test over any sink (a kafkasink.Producer on
// Cluster, a failing sink...): a processor writing to sink with logging
// topic [LoggingTopic], and a TracerProvider that records every span
// (sdktrace.AlwaysRecord over AlwaysSample) and sends it to the processor.
// The environment is ignored (exporter.WithoutEnvironment) and background
// errors fail t, unless opts say otherwise. Both are shut down (within 10 s)
// and unregistered when t ends.
func Pipeline(t testing.TB, sink kafkasink.Sink, opts ...exporter.Option) (*sdktrace.TracerProvider, *exporter.Processor) {
	t.Helper()
	opts = append([]exporter.Option{
		exporter.WithoutEnvironment(),
		exporter.WithErrorHandler(func(err error) { t.Errorf("otelrelayer: %v", err) }),
	}, opts...)
	p, err := exporter.New(LoggingTopic, sink, opts...)
	if err != nil {
		t.Fatalf("otelrelayertest: %v", err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())),
		sdktrace.WithSpanProcessor(p),
	)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = tp.Shutdown(ctx)
		bridge.Unregister(p)
	})
	return tp, p
}

// TracerProvider returns the provider whose spans the processor sees.
func (r *Recorder) TracerProvider() *sdktrace.TracerProvider { return r.provider }

// Processor returns the recorder's processor.
func (r *Recorder) Processor() *exporter.Processor { return r.processor }

// Tracer is shorthand for r.TracerProvider().Tracer("otelrelayertest").
func (r *Recorder) Tracer() trace.Tracer { return r.provider.Tracer("otelrelayertest") }

// Sink returns the in-memory sink the processor writes to.
func (r *Recorder) Sink() *Sink { return r.sink }

// Messages returns the messages produced to topic (the full name, prefix and
// suffix included), in order, with key and headers.
func (r *Recorder) Messages(topic string) []kafkasink.Message { return r.sink.Messages(topic) }

// Topics returns the topics written to, in order of their first message.
func (r *Recorder) Topics() []string { return r.sink.Topics() }

// Flushed reports whether the processor flushed or closed the sink.
func (r *Recorder) Flushed() bool { return r.sink.Flushed() }

// Reset forgets every message recorded so far.
func (r *Recorder) Reset() { r.sink.Reset() }

// Events decodes the event messages produced to topic (the full name). A
// message that does not decode fails the test.
func (r *Recorder) Events(topic string) []wire.Event {
	r.t.Helper()
	return decodeAll[wire.Event](r.t, r.Messages(topic))
}

// RequestLogs decodes the request logs produced so far, in order. A message
// that does not decode fails the test.
func (r *Recorder) RequestLogs() []wire.RequestLog {
	r.t.Helper()
	return decodeAll[wire.RequestLog](r.t, r.Messages(r.processor.LoggingTopic()))
}

func decodeAll[T any](t testing.TB, msgs []kafkasink.Message) []T {
	t.Helper()
	out := make([]T, 0, len(msgs))
	for _, m := range msgs {
		var v T
		if err := json.Unmarshal(m.Value, &v); err != nil {
			t.Errorf("otelrelayertest: message on %s does not decode as %T: %v: %s", m.Topic, v, err, m.Value)
			continue
		}
		out = append(out, v)
	}
	return out
}
