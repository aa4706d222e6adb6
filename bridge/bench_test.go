package bridge_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

func benchmarkInSpans(b *testing.B, rec *otelrelayertest.Recorder, tracer trace.Tracer, op func(ctx context.Context) error) {
	b.Helper()
	b.ReportAllocs()
	ctx, span := tracer.Start(b.Context(), "request")
	n := 0
	for b.Loop() {
		if err := op(ctx); err != nil {
			b.Fatal(err)
		}
		if n++; n%opsPerSpan == 0 {
			b.StopTimer()
			span.End()
			rec.Reset() // keep the in-memory sink from growing with b.N
			ctx, span = tracer.Start(b.Context(), "request")
			b.StartTimer()
		}
	}
	span.End()
}

func BenchmarkLogRecordingSpan(b *testing.B) {
	rec := otelrelayertest.New(b)
	benchmarkInSpans(b, rec, rec.Tracer(), func(ctx context.Context) error {
		return bridge.Log(ctx, "info", "order 10 created")
	})
}

// BenchmarkLogNonRecordingSpan: no request owns the line, so each Log writes
// a one-line request log.
func BenchmarkLogNonRecordingSpan(b *testing.B) {
	rec := otelrelayertest.New(b)
	unsampled := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	b.Cleanup(func() { _ = unsampled.Shutdown(context.Background()) })
	if err := bridge.Bind(unsampled, rec.Processor()); err != nil {
		b.Fatal(err)
	}
	benchmarkInSpans(b, rec, unsampled.Tracer("bench"), func(ctx context.Context) error {
		return bridge.Log(ctx, "info", "order 10 created")
	})
}

func BenchmarkEmitRecordingSpan(b *testing.B) {
	rec := otelrelayertest.New(b)
	payload := map[string]any{"id": 10}
	benchmarkInSpans(b, rec, rec.Tracer(), func(ctx context.Context) error {
		return bridge.Emit(ctx, "orders", "created", payload)
	})
}

// BenchmarkSpanAddEvent is the bare span event Emit records, for comparison.
func BenchmarkSpanAddEvent(b *testing.B) {
	rec := otelrelayertest.New(b)
	id := uuid.MustParse("01890a5d-ac96-774b-bcce-b302099a8057")
	benchmarkInSpans(b, rec, rec.Tracer(), func(ctx context.Context) error {
		trace.SpanFromContext(ctx).AddEvent(bridge.EmitEventName, trace.WithTimestamp(time.Now()), trace.WithAttributes(
			bridge.TopicKey.String("orders"), bridge.EventIDKey.String(id.String()),
			bridge.EventTypeKey.String("orders"), bridge.EventSubtypeKey.String("created"),
		))
		return nil
	})
}

// BenchmarkSpanAddEventLog is the bare span event Log records, with the same
// attributes: what Log is compared with.
func BenchmarkSpanAddEventLog(b *testing.B) {
	rec := otelrelayertest.New(b)
	benchmarkInSpans(b, rec, rec.Tracer(), func(ctx context.Context) error {
		trace.SpanFromContext(ctx).AddEvent(bridge.LogEventName, trace.WithTimestamp(time.Now()),
			trace.WithAttributes(bridge.LevelKey.String("info")))
		return nil
	})
}

// noopPipeline accepts everything and does nothing: the bridge's own cost.
type noopPipeline struct{}

func (noopPipeline) Emit(context.Context, bridge.EmitRecord) (bridge.EmitResult, error) {
	return bridge.EmitResult{}, nil
}
func (noopPipeline) Log(context.Context, bridge.LogRecord) error { return nil }

// The bridge's own cost on a non-recording span, with a pipeline that does
// no work: no allocation beyond encoding the payload (none for a string).
func BenchmarkBridgeNonRecordingNoopPipeline(b *testing.B) {
	unsampled := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	b.Cleanup(func() { _ = unsampled.Shutdown(context.Background()) })
	var p noopPipeline
	if err := bridge.Bind(unsampled, p); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bridge.Unregister(p) })
	ctx, span := unsampled.Tracer("bench").Start(b.Context(), "request")
	defer span.End()
	b.Run("Log", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = bridge.Log(ctx, "info", "order 10 created")
		}
	})
	b.Run("Emit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = bridge.Emit(ctx, "orders", "created", "order 10")
		}
	})
}
