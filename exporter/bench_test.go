package exporter_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// discardSink acknowledges and forgets every message, so benchmarks measure
// the library alone.
type discardSink struct{}

func (discardSink) Produce(_ context.Context, _ kafkasink.Message, done func(error)) {
	if done != nil {
		done(nil)
	}
}
func (discardSink) Flush(context.Context) error { return nil }
func (discardSink) Close(context.Context) error { return nil }

func benchProvider(b *testing.B) *sdktrace.TracerProvider {
	b.Helper()
	return newTracerProvider(b, discardSink{})
}

var benchPayload = map[string]any{"id": 10, "name": "entity", "tags": []any{"a", "b"}}

// releasingDiscardSink is discardSink that releases messages at done, as a
// kafkasink.Producer without spool does: the processor pools them.
type releasingDiscardSink struct{ discardSink }

func (releasingDiscardSink) ReleasesMessages() bool { return true }

// BenchmarkRequest is one whole request: root span, one Emit, one Log, the
// request log. With a sink that releases messages (as a Producer without
// spool), the processor reuses their memory: BenchmarkRequestReleasingSink.
func BenchmarkRequest(b *testing.B) { benchmarkRequest(b, discardSink{}) }

func BenchmarkRequestReleasingSink(b *testing.B) { benchmarkRequest(b, releasingDiscardSink{}) }

func benchmarkRequest(b *testing.B, sink kafkasink.Sink) {
	tracer := newTracerProvider(b, sink).Tracer("bench")
	ctx := context.Background()
	b.ReportAllocs()
	reportCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rctx, span := tracer.Start(ctx, "request")
			_ = bridge.Emit(rctx, "entity_created", "root", benchPayload)
			_ = bridge.Log(rctx, "info", "created root")
			span.End()
		}
	})
}

// BenchmarkOnEnd measures ending a root holding n lines: error lines, the
// request log's encoding and its produce.
func BenchmarkOnEnd(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			tracer := benchProvider(b).Tracer("bench")
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				rctx, span := tracer.Start(ctx, "request")
				for range n {
					_ = bridge.Log(rctx, "info", "created root")
				}
				b.StartTimer()
				span.End()
			}
		})
	}
}

// BenchmarkInFlightMemory reports the heap each open request holds: the
// processor's share (request state, table entries, line buffers) apart
// from the SDK span's, measured as the difference with a provider without
// the processor. Each request holds one line.
func BenchmarkInFlightMemory(b *testing.B) {
	const open = 20_000
	heap := func(tp *sdktrace.TracerProvider) float64 {
		tracer := tp.Tracer("bench")
		spans := make([]trace.Span, 0, open)
		runtime.GC()
		runtime.GC() // pools keep their contents through one collection
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range open {
			ctx, span := tracer.Start(context.Background(), "request")
			_ = bridge.Log(ctx, "info", "created root") // a one-line request when nobody owns the span
			spans = append(spans, span)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		for _, s := range spans {
			s.End()
		}
		return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / open // may shrink: a GC freed more
	}
	for b.Loop() {
		with := heap(benchProvider(b))
		bare := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())))
		without := heap(bare)
		_ = bare.Shutdown(context.Background())
		b.ReportMetric(with-without, "processor_B/request")
		b.ReportMetric(with, "total_B/request")
	}
}

// BenchmarkSDKSpanOnly is the OpenTelemetry SDK's own share of a request:
// the same root span and two span events, with no span processor at all. It
// bounds from below what any processor-based library can cost.
func BenchmarkSDKSpanOnly(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tracer := tp.Tracer("bench")
	ctx := context.Background()
	b.ReportAllocs()
	reportCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, span := tracer.Start(ctx, "request")
			span.AddEvent(bridge.EmitEventName, trace.WithTimestamp(time.Now()), trace.WithAttributes(
				bridge.TopicKey.String("entity_created"), bridge.EventIDKey.String("01a21b95-77e0-7c16-985d-110ce092b20a"),
				bridge.EventTypeKey.String("entity_created"), bridge.EventSubtypeKey.String("root")))
			span.AddEvent(bridge.LogEventName, trace.WithTimestamp(time.Now()), trace.WithAttributes(bridge.LevelKey.String("info")))
			span.End()
		}
	})
}

// BenchmarkSDKSpanNoopProcessor is BenchmarkSDKSpanOnly with a span
// processor that does nothing: what the SDK adds for any processor (it
// snapshots each ended span for OnEnd, which it skips with no processor).
// It is the SDK's share of BenchmarkRequest.
func BenchmarkSDKSpanNoopProcessor(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())),
		sdktrace.WithSpanProcessor(noopProcessor{}))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tracer := tp.Tracer("bench")
	ctx := context.Background()
	b.ReportAllocs()
	reportCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, span := tracer.Start(ctx, "request")
			span.AddEvent(bridge.EmitEventName, trace.WithTimestamp(time.Now()), trace.WithAttributes(
				bridge.TopicKey.String("entity_created"), bridge.EventIDKey.String("01a21b95-77e0-7c16-985d-110ce092b20a"),
				bridge.EventTypeKey.String("entity_created"), bridge.EventSubtypeKey.String("root")))
			span.AddEvent(bridge.LogEventName, trace.WithTimestamp(time.Now()), trace.WithAttributes(bridge.LevelKey.String("info")))
			span.End()
		}
	})
}

// noopProcessor is a span processor that does nothing.
type noopProcessor struct{}

func (noopProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (noopProcessor) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (noopProcessor) Shutdown(context.Context) error                  { return nil }
func (noopProcessor) ForceFlush(context.Context) error                { return nil }
