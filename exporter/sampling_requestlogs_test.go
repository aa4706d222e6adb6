package exporter_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// traceIDs returns n trace IDs drawn from a fixed seed.
func traceIDs(n int) []trace.TraceID {
	r := rand.New(rand.NewPCG(19, 4))
	ids := make([]trace.TraceID, n)
	for i := range ids {
		binary.BigEndian.PutUint64(ids[i][:8], r.Uint64())
		binary.BigEndian.PutUint64(ids[i][8:], r.Uint64())
	}
	return ids
}

// inTrace returns ctx with a remote parent in trace tid: the next span
// started is a local root of that trace.
func inTrace(ctx context.Context, tid trace.TraceID) context.Context {
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled, Remote: true})
	return trace.ContextWithRemoteSpanContext(ctx, sc)
}

// httpAttrs are the attributes of an HTTP server span that answered status.
func httpAttrs(status int) []attribute.KeyValue {
	return []attribute.KeyValue{attribute.String("http.request.method", "GET"), attribute.String("url.path", "/"),
		attribute.Int("http.response.status_code", status)}
}

// keptTraces runs one ordinary request (an event, an info line) in each
// trace and returns the trace IDs of the request logs written.
func keptTraces(t *testing.T, rec *otelrelayertest.Recorder, ids []trace.TraceID) []string {
	t.Helper()
	for _, tid := range ids {
		ctx, span := rec.Tracer().Start(inTrace(t.Context(), tid), "job")
		if err := bridge.Emit(ctx, "orders", "created", 1); err != nil {
			t.Fatal(err)
		}
		_ = bridge.Log(ctx, "info", "done")
		span.End()
	}
	var kept []string
	for _, l := range rec.RequestLogs() {
		kept = append(kept, l.TraceID)
	}
	slices.Sort(kept)
	return kept
}

// Two processors on two providers (as two services of one trace would
// have) keep the same requests, and those are the traces the SDK's
// TraceIDRatioBased sampler samples at the same rate.
func TestSamplingDecidesByTraceIDAlikeInTwoPipelines(t *testing.T) {
	const rate, n = 0.3, 600
	ids := traceIDs(n)
	a := keptTraces(t, otelrelayertest.New(t, exporter.WithRequestLogSampling(rate, 0)), ids)
	b := keptTraces(t, otelrelayertest.New(t, exporter.WithRequestLogSampling(rate, 0)), ids)
	if !slices.Equal(a, b) {
		t.Fatalf("the two pipelines kept different requests: %d and %d", len(a), len(b))
	}
	var want []string
	ratio := sdktrace.TraceIDRatioBased(rate)
	for _, tid := range ids {
		res := ratio.ShouldSample(sdktrace.SamplingParameters{TraceID: tid, Name: "job"})
		if res.Decision == sdktrace.RecordAndSample {
			want = append(want, tid.String())
		}
	}
	slices.Sort(want)
	if !slices.Equal(a, want) {
		t.Fatalf("kept %d requests, TraceIDRatioBased(%v) samples %d of the same traces; they differ", len(a), rate, len(want))
	}
	if len(a) == 0 || len(a) == n {
		t.Fatalf("kept %d of %d requests at rate %v", len(a), n, rate)
	}
}

// Whatever the rate, a request log worth reading is kept, with sample_rate 1.
func TestSamplingAlwaysKeepsErrorsSlowAndDropped(t *testing.T) {
	start := time.Now()
	cases := []struct {
		name string
		opts []exporter.Option
		run  func(ctx context.Context, tr trace.Tracer)
	}{
		{"error line", nil, func(ctx context.Context, tr trace.Tracer) {
			ctx, span := tr.Start(ctx, "job")
			_ = bridge.Log(ctx, "error", "failed")
			span.End()
		}},
		{"critical line, upper case", nil, func(ctx context.Context, tr trace.Tracer) {
			ctx, span := tr.Start(ctx, "job")
			_ = bridge.Log(ctx, "info", "first")
			_ = bridge.Log(ctx, "CRITICAL", "failed")
			span.End()
		}},
		{"exception recorded on a child span", nil, func(ctx context.Context, tr trace.Tracer) {
			ctx, span := tr.Start(ctx, "job")
			_, child := tr.Start(ctx, "step")
			child.RecordError(errors.New("disk full"))
			child.End()
			span.End()
		}},
		{"error status of the root", nil, func(ctx context.Context, tr trace.Tracer) {
			_, span := tr.Start(ctx, "job")
			span.SetStatus(codes.Error, "failed")
			span.End()
		}},
		{"HTTP 503", nil, func(ctx context.Context, tr trace.Tracer) {
			_, span := tr.Start(ctx, "GET /", trace.WithSpanKind(trace.SpanKindServer))
			span.SetAttributes(httpAttrs(503)...)
			span.End()
		}},
		{"slower than the default threshold (1s)", nil, func(ctx context.Context, tr trace.Tracer) {
			_, span := tr.Start(ctx, "job", trace.WithTimestamp(start))
			span.End(trace.WithTimestamp(start.Add(1500 * time.Millisecond)))
		}},
		{"slower than a threshold of 50ms", []exporter.Option{exporter.WithRequestLogSampling(0, 50*time.Millisecond)}, func(ctx context.Context, tr trace.Tracer) {
			_, span := tr.Start(ctx, "job", trace.WithTimestamp(start))
			span.End(trace.WithTimestamp(start.Add(50 * time.Millisecond)))
		}},
		{"dropped lines", []exporter.Option{exporter.WithRequestLogSampling(0, 0), exporter.WithMaxLines(1)}, func(ctx context.Context, tr trace.Tracer) {
			ctx, span := tr.Start(ctx, "job")
			_ = bridge.Log(ctx, "info", "one")
			_ = bridge.Log(ctx, "info", "two")
			span.End()
		}},
		{"a Log outside any request", nil, func(ctx context.Context, _ trace.Tracer) {
			_ = bridge.Log(ctx, "info", "no request")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := c.opts
			if opts == nil {
				opts = []exporter.Option{exporter.WithRequestLogSampling(0, 0)}
			}
			rec := otelrelayertest.New(t, opts...)
			ctx := t.Context()
			if c.name == "a Log outside any request" {
				_, span := rec.Tracer().Start(ctx, "ended")
				span.End()
				ctx = trace.ContextWithSpan(ctx, span) // names the pipeline, owns no request
			}
			c.run(ctx, rec.Tracer())
			logs := rec.RequestLogs()
			if len(logs) != 1 {
				t.Fatalf("%d request logs at rate 0, want the 1 always kept", len(logs))
			}
			if logs[0].SampleRate != 1 {
				t.Errorf("sample_rate %v, want 1", logs[0].SampleRate)
			}
		})
	}
}

// At rate 0 an ordinary request loses its request log, not its events,
// and the metric counts the logs left out; a request shorter than a
// threshold, or of any length with a negative one, is ordinary.
func TestSamplingNeverDropsEventsAndCountsWhatItLeavesOut(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	rec := otelrelayertest.New(t, exporter.WithRequestLogSampling(0, -1), exporter.WithMeterProvider(mp))
	start := time.Now()
	for i := range 50 {
		ctx, span := rec.Tracer().Start(t.Context(), "job", trace.WithTimestamp(start))
		if err := bridge.Emit(ctx, "orders", "created", i); err != nil {
			t.Fatal(err)
		}
		_ = bridge.Log(ctx, "warning", "slow")
		span.End(trace.WithTimestamp(start.Add(time.Hour)))
	}
	if got := len(rec.Events("orders")); got != 50 {
		t.Errorf("%d events, want all 50", got)
	}
	if got := len(rec.RequestLogs()); got != 0 {
		t.Errorf("%d request logs at rate 0 with no duration rule, want 0", got)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(t.Context(), &rm); err != nil {
		t.Fatal(err)
	}
	var sampledOut int64 = -1
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == exporter.MetricSampledOutRequestLogs {
				sampledOut = 0
				for _, dp := range sum.DataPoints {
					sampledOut += dp.Value
				}
			}
		}
	}
	if sampledOut != 50 {
		t.Errorf("%s = %d, want 50", exporter.MetricSampledOutRequestLogs, sampledOut)
	}
}

// sample_rate is on every request log written while sampling is on (the
// rate for those kept by it, 1 for those always kept) and on none without
// sampling, the default.
func TestSampleRateOnEveryKeptLogOnlyWhenSampling(t *testing.T) {
	ids := traceIDs(200)
	cases := []struct {
		name     string
		opts     []exporter.Option
		wantRate map[bool]float64 // by whether the request had an error line
	}{
		{"default: no sampling", nil, nil},
		{"rate 0.5", []exporter.Option{exporter.WithRequestLogSampling(0.5, 0)}, map[bool]float64{false: 0.5, true: 1}},
		{"rate 1", []exporter.Option{exporter.WithRequestLogSampling(1, 0)}, map[bool]float64{false: 1, true: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := otelrelayertest.New(t, c.opts...)
			for i, tid := range ids {
				ctx, span := rec.Tracer().Start(inTrace(t.Context(), tid), "job")
				level := "info"
				if i%10 == 0 {
					level = "error"
				}
				_ = bridge.Log(ctx, level, i)
				span.End()
			}
			msgs := rec.Messages(otelrelayertest.LoggingTopic)
			if c.wantRate == nil && len(msgs) != len(ids) {
				t.Fatalf("%d request logs without sampling, want %d", len(msgs), len(ids))
			}
			errorsKept := 0
			for _, m := range msgs {
				var l struct {
					SampleRate *float64 `json:"sample_rate"`
					Lines      []struct {
						Level string `json:"log_level"`
					} `json:"lines"`
				}
				if err := json.Unmarshal(m.Value, &l); err != nil {
					t.Fatal(err)
				}
				isError := l.Lines[0].Level == "error"
				if isError {
					errorsKept++
				}
				switch {
				case c.wantRate == nil && l.SampleRate != nil:
					t.Fatalf("sample_rate %v without sampling: %s", *l.SampleRate, m.Value)
				case c.wantRate != nil && l.SampleRate == nil:
					t.Fatalf("no sample_rate while sampling: %s", m.Value)
				case c.wantRate != nil && *l.SampleRate != c.wantRate[isError]:
					t.Fatalf("sample_rate %v, want %v: %s", *l.SampleRate, c.wantRate[isError], m.Value)
				}
			}
			if errorsKept != len(ids)/10 {
				t.Errorf("%d requests with an error line kept, want all %d", errorsKept, len(ids)/10)
			}
		})
	}
}

func TestSamplingRejectsRatesOutsideZeroToOne(t *testing.T) {
	for _, rate := range []float64{-0.1, 1.01, math.NaN(), math.Inf(1)} {
		_, err := exporter.New("logging", otelrelayertest.NewSink(), exporter.WithoutDefault(), exporter.WithRequestLogSampling(rate, 0))
		if !errors.Is(err, exporter.ErrConfiguration) {
			t.Errorf("rate %v: New returned %v, want ErrConfiguration", rate, err)
		}
	}
}
