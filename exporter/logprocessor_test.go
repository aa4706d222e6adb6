package exporter_test

import (
	"encoding/json"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

func TestLogProcessorAddsRecordsToTheirRequest(t *testing.T) {
	rec := otelrelayertest.New(t)
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(rec.Processor().LogProcessor()))
	t.Cleanup(func() { _ = lp.Shutdown(t.Context()) })
	logger := lp.Logger("app")

	// Outside any request: ignored (left to the other processors).
	var outside log.Record
	outside.SetBody(attribute.StringValue("startup"))
	logger.Emit(t.Context(), outside)

	ctx, span := rec.Tracer().Start(t.Context(), "req")
	if !logger.Enabled(ctx, log.EnabledParameters{Severity: log.SeverityInfo}) {
		t.Error("Enabled is false inside a request")
	}
	if logger.Enabled(t.Context(), log.EnabledParameters{Severity: log.SeverityInfo}) {
		t.Error("Enabled is true outside any request")
	}
	for _, c := range []struct {
		sev  log.Severity
		text string
	}{{log.SeverityInfo, "INFO"}, {log.SeverityWarn2, "WARN"}, {0, "NOTICE"}} {
		var r log.Record
		r.SetSeverity(c.sev)
		r.SetSeverityText(c.text)
		r.SetBody(attribute.StringValue("order stored"))
		r.SetTimestamp(time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC))
		r.AddAttributes(attribute.Int("id", 7), attribute.Float64("ratio", 0.5))
		logger.Emit(ctx, r)
	}
	span.End()

	logs := rec.RequestLogs()
	if len(logs) != 1 {
		t.Fatalf("got %d request logs, want 1", len(logs))
	}
	lines := logs[0].Lines
	if len(lines) != 3 {
		t.Fatalf("lines: %+v", lines)
	}
	for i, want := range []string{"info", "warning", "notice"} {
		if lines[i].LogLevel != want {
			t.Errorf("line %d level %q, want %q", i, lines[i].LogLevel, want)
		}
	}
	var p map[string]any
	if err := json.Unmarshal(lines[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p["msg"] != "order stored" || p["id"] != 7.0 || p["ratio"] != 0.5 {
		t.Errorf("payload %v", p)
	}
	if got := lines[0].Timestamp.UTC().Format(time.RFC3339); got != "2026-11-27T05:00:00Z" {
		t.Errorf("timestamp %s", got)
	}
}
