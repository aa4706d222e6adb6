package bridge_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// The handler passes slogtest as what it is for slog: a handler whose
// output is the next handler's, with WithAttrs and WithGroup carried through.
func TestSlogHandlerConformance(t *testing.T) {
	var buf bytes.Buffer
	slogtest.Run(t, func(t *testing.T) slog.Handler {
		buf.Reset()
		return bridge.NewSlogHandler(slog.NewJSONHandler(&buf, nil))
	}, func(t *testing.T) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return m
	})
}

// Inside a request, every record also becomes a line whose payload is the
// record's message and attributes, shaped as slogtest requires of handlers.
func TestSlogHandlerLines(t *testing.T) {
	type payload = map[string]any
	tests := []struct {
		name  string
		log   func(l *slog.Logger, ctxLog func(*slog.Logger, string, ...any))
		level string
		want  payload
	}{
		{"attrs", func(l *slog.Logger, f func(*slog.Logger, string, ...any)) { f(l, "m", "a", 1, "b", "two") },
			"info", payload{"msg": "m", "a": 1.0, "b": "two"}},
		{"empty attr ignored", func(l *slog.Logger, f func(*slog.Logger, string, ...any)) { f(l, "m", slog.Attr{}, "a", true) },
			"info", payload{"msg": "m", "a": true}},
		{"WithAttrs", func(l *slog.Logger, f func(*slog.Logger, string, ...any)) { f(l.With("w", 1), "m", "a", 2) },
			"info", payload{"msg": "m", "w": 1.0, "a": 2.0}},
		{"groups", func(l *slog.Logger, f func(*slog.Logger, string, ...any)) {
			f(l, "m", slog.Group("g", "x", 1, slog.Group("h", "y", 2)), slog.Group("empty"))
		}, "info", payload{"msg": "m", "g": payload{"x": 1.0, "h": payload{"y": 2.0}}}},
		{"inline group", func(l *slog.Logger, f func(*slog.Logger, string, ...any)) { f(l, "m", slog.Group("", "x", 1)) },
			"info", payload{"msg": "m", "x": 1.0}},
		{"WithGroup", func(l *slog.Logger, f func(*slog.Logger, string, ...any)) {
			f(l.WithGroup("req").With("id", 3), "m", "a", 1)
		},
			"info", payload{"msg": "m", "req": payload{"id": 3.0, "a": 1.0}}},
		{"empty group record", func(l *slog.Logger, f func(*slog.Logger, string, ...any)) { f(l.With("a", 1).WithGroup("g"), "m") },
			"info", payload{"msg": "m", "a": 1.0}},
		{"resolve and conversions", func(l *slog.Logger, f func(*slog.Logger, string, ...any)) {
			f(l, "m", "err", errors.New("boom"), "d", 2*time.Millisecond, "v", slog.AnyValue(valuer{}))
		}, "info", payload{"msg": "m", "err": "boom", "d": 2e6, "v": "resolved"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := otelrelayertest.New(t)
			var next bytes.Buffer
			logger := slog.New(bridge.NewSlogHandler(slog.NewTextHandler(&next, nil)))
			ctx, span := rec.Tracer().Start(t.Context(), "req")
			tt.log(logger, func(l *slog.Logger, msg string, args ...any) { l.InfoContext(ctx, msg, args...) })
			span.End()
			lines := rec.RequestLogs()[0].Lines
			if len(lines) != 1 || lines[0].LogLevel != tt.level {
				t.Fatalf("lines: %+v", lines)
			}
			var got payload
			if err := json.Unmarshal(lines[0].Payload, &got); err != nil {
				t.Fatal(err)
			}
			if g, w := mustJSON(got), mustJSON(tt.want); g != w {
				t.Errorf("payload\n got %s\nwant %s", g, w)
			}
			if next.Len() == 0 {
				t.Error("the record did not reach the next handler")
			}
		})
	}
}

type valuer struct{}

func (valuer) LogValue() slog.Value { return slog.StringValue("resolved") }

func TestSlogHandlerLevelsAndScope(t *testing.T) {
	rec := otelrelayertest.New(t)
	logger := slog.New(bridge.NewSlogHandler(slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelDebug})))
	logger.Info("outside any request") // goes to next only
	ctx, span := rec.Tracer().Start(t.Context(), "req")
	logger.DebugContext(ctx, "d")
	logger.WarnContext(ctx, "w")
	logger.ErrorContext(ctx, "e")
	logger.Log(ctx, slog.LevelInfo+2, "i2")
	span.End()
	logs := rec.RequestLogs()
	if len(logs) != 1 {
		t.Fatalf("got %d request logs, want 1 (records outside requests stay out of Kafka)", len(logs))
	}
	var levels []string
	for _, l := range logs[0].Lines {
		levels = append(levels, l.LogLevel)
	}
	if mustJSON(levels) != `["debug","warning","error","info+2"]` {
		t.Errorf("levels %v", levels)
	}

	quiet := slog.New(bridge.NewSlogHandler(nil)) // Info and up, discarded after the line
	if quiet.Enabled(ctx, slog.LevelDebug) || !quiet.With("a", 1).Enabled(ctx, slog.LevelInfo) {
		t.Error("NewSlogHandler(nil) should enable Info and above")
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
