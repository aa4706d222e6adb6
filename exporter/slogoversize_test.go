package exporter_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// A slog record too large for a line is not lost without a word: the
// request log keeps a line saying so (its message and the error), as
// slog.JSONHandler keeps a record whose attribute fails.
func TestSlogHandlerKeepsARecordTooLargeForALine(t *testing.T) {
	rec := otelrelayertest.New(t, exporter.WithMaxMessageBytes(16<<10))
	log := slog.New(bridge.NewSlogHandler(nil))
	ctx, span := rec.Tracer().Start(t.Context(), "job")
	log.InfoContext(ctx, "dump", "body", strings.Repeat("x", 20<<10))
	span.End()
	logs := rec.RequestLogs()
	if len(logs) != 1 || len(logs[0].Lines) != 1 || !strings.Contains(string(logs[0].Lines[0].Payload), "dump") {
		t.Fatalf("request logs %+v: want the record's line, shortened", logs)
	}
}
