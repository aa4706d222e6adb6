package exporter_test

import (
	"log/slog"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Levels above error, as slog writes them ("error+4") or as a severity
// text might ("CRITICAL+1"), keep their request log like error does: the
// sampler must never drop a request that logged something worse than an
// error.
func TestSamplingKeepsRequestsWithLevelsAboveError(t *testing.T) {
	for _, tc := range []struct {
		name string
		log  func(t *testing.T, rec *otelrelayertest.Recorder)
	}{
		{"slog error+4", func(t *testing.T, rec *otelrelayertest.Recorder) {
			ctx, span := rec.Tracer().Start(t.Context(), "job")
			slog.New(bridge.NewSlogHandler(nil)).Log(ctx, slog.LevelError+4, "disk gone")
			span.End()
		}},
		{"Log critical+1", func(t *testing.T, rec *otelrelayertest.Recorder) {
			ctx, span := rec.Tracer().Start(t.Context(), "job")
			_ = bridge.Log(ctx, "CRITICAL+1", "disk gone")
			span.End()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := otelrelayertest.New(t, exporter.WithRequestLogSampling(0, 0)) // keeps only what must be kept
			tc.log(t, rec)
			logs := rec.RequestLogs()
			if len(logs) != 1 || logs[0].SampleRate != 1 {
				t.Fatalf("request logs %+v: want the request's, kept with sample_rate 1", logs)
			}
		})
	}
}
