package main

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// allocRequests is how many requests each allocation count averages over.
const allocRequests = 20_000

// libraryAllocs returns the allocations per request of the relayer path
// (one goroutine, a sink that acknowledges at once, so no Kafka client's
// allocations) and of the SDK alone doing the same span and two span events
// with a span processor that does nothing: library_allocs is their
// difference, what the library itself allocates.
func libraryAllocs(ctx context.Context) (relayerAllocs, sdkAllocs float64, err error) {
	p, err := exporter.New("logging", discardSink{}, exporter.WithoutDefault())
	if err != nil {
		return 0, 0, err
	}
	defer bridge.Unregister(p)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(p))
	defer func() { _ = tp.Shutdown(ctx) }()
	tracer := tp.Tracer("relaybench")
	relayerAllocs = allocsPerRun(func() { _ = request(ctx, tracer, 1) })

	bare := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(noopProcessor{}))
	defer func() { _ = bare.Shutdown(ctx) }()
	bareTracer := bare.Tracer("relaybench")
	sdkAllocs = allocsPerRun(func() { sdkRequest(ctx, bareTracer, 1) })
	return relayerAllocs, sdkAllocs, nil
}

// sdkRequest is the OpenTelemetry SDK's share of a relayer request with
// lines lines: the root span and its span events (one relayer.emit with its
// four attributes, one relayer.log a line, each with its timestamp), as
// bridge records them, and nothing else.
func sdkRequest(ctx context.Context, tracer trace.Tracer, lines int) {
	_, span := tracer.Start(ctx, "request")
	span.AddEvent(bridge.EmitEventName, trace.WithTimestamp(time.Now()), trace.WithAttributes(
		bridge.TopicKey.String("entity_created"), bridge.EventIDKey.String("01a21b95-77e0-7c16-985d-110ce092b20a"),
		bridge.EventTypeKey.String("entity_created"), bridge.EventSubtypeKey.String("root")))
	for range lines {
		span.AddEvent(bridge.LogEventName, trace.WithTimestamp(time.Now()), trace.WithAttributes(bridge.LevelKey.String("info")))
	}
	span.End()
}

// allocsPerRun is testing.AllocsPerRun for a program: fn's mean heap
// allocations over allocRequests calls on this goroutine, after a warm-up.
func allocsPerRun(fn func()) float64 {
	for range 1000 {
		fn()
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range allocRequests {
		fn()
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / allocRequests
}

// discardSink acknowledges and forgets every message.
type discardSink struct{}

var _ kafkasink.Sink = discardSink{}

func (discardSink) Produce(_ context.Context, _ kafkasink.Message, done func(error)) { done(nil) }
func (discardSink) Flush(context.Context) error                                      { return nil }
func (discardSink) Close(context.Context) error                                      { return nil }

// noopProcessor is a span processor that does nothing.
type noopProcessor struct{}

var _ sdktrace.SpanProcessor = noopProcessor{}

func (noopProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (noopProcessor) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (noopProcessor) Shutdown(context.Context) error                  { return nil }
func (noopProcessor) ForceFlush(context.Context) error                { return nil }

// countingSink counts the messages the processor produces and the bytes of
// its request logs (topic "logging"): key, value and headers, before
// compression. It forwards ProduceWith too, so that the processor sees the
// producer's kafkasink.OptionsSink as a user's pipeline does: without it,
// request logs lose the producer's reserve and are dropped (never waited
// for) at nine tenths of the buffer, which aborted the run whenever the
// broker fell 45,000 records behind.
type countingSink struct {
	kafkasink.OptionsSink
	messages, loggingBytes atomic.Int64
}

var _ kafkasink.OptionsSink = (*countingSink)(nil)

func (s *countingSink) count(m kafkasink.Message) {
	s.messages.Add(1)
	if m.Topic == "logging" {
		n := len(m.Key) + len(m.Value)
		for _, h := range m.Headers {
			n += len(h.Key) + len(h.Value)
		}
		s.loggingBytes.Add(int64(n))
	}
}

func (s *countingSink) Produce(ctx context.Context, m kafkasink.Message, done func(error)) {
	s.count(m)
	s.OptionsSink.Produce(ctx, m, done)
}

func (s *countingSink) ProduceWith(ctx context.Context, m kafkasink.Message, o kafkasink.ProduceOptions, done func(error)) {
	s.count(m)
	s.OptionsSink.ProduceWith(ctx, m, o, done)
}
