package bridge_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Tests that call otelrelayertest.Patch or change the registry do not run in
// parallel; every other test does, and so only starts once they are done.

// minMaxBytes is the smallest size exporter.WithMaxMessageBytes accepts. Log
// lines may use half of it (the other half is the request log's own fields).
const minMaxBytes = 16 << 10

type badInputContext int

const (
	inSpan        badInputContext = iota // a recording span of the recorder
	noSpan                               // a context without span: no pipeline
	afterShutdown                        // a span of the recorder, whose provider is shut down
)

type badInput struct {
	name     string
	opts     []exporter.Option
	ctx      badInputContext
	call     func(ctx context.Context) error
	want     error
	mentions string // in the error message
}

// badInputs is a table of every kind of invalid call to Emit, EmitRaw and Log.
func badInputs() []badInput {
	cyclicMap := map[string]any{}
	cyclicMap["self"] = cyclicMap
	cyclicSlice := []any{nil}
	cyclicSlice[0] = cyclicSlice
	affixes := []exporter.Option{exporter.WithTopicPrefix("pre."), exporter.WithTopicSuffix(".suf")}
	small := []exporter.Option{exporter.WithMaxMessageBytes(minMaxBytes)}

	payloadCalls := []struct {
		name string
		call func(ctx context.Context, v any) error
	}{
		{"Emit", func(ctx context.Context, v any) error { return bridge.Emit(ctx, "orders", "created", v) }},
		{"EmitRaw", func(ctx context.Context, v any) error { return bridge.EmitRaw(ctx, "orders", v) }},
		{"Log", func(ctx context.Context, v any) error { return bridge.Log(ctx, "info", v) }},
	}
	topicCalls := payloadCalls[:2:2]
	topicCall := func(name string) func(ctx context.Context, topic string) error {
		if name == "Emit" {
			return func(ctx context.Context, topic string) error { return bridge.Emit(ctx, topic, "created", 1) }
		}
		return func(ctx context.Context, topic string) error { return bridge.EmitRaw(ctx, topic, 1) }
	}

	var tests []badInput
	for _, p := range []struct {
		name     string
		v        any
		mentions string
	}{
		{"channel", make(chan int), "chan int"},
		{"func", func() {}, "func()"},
		{"NaN", math.NaN(), "NaN"},
		{"+Inf", math.Inf(1), "+Inf"},
		{"-Inf", float32(math.Inf(-1)), "-Inf"},
		{"cyclic map", cyclicMap, "cycle"},
		{"cyclic slice", cyclicSlice, "cycle"},
		{"invalid json.RawMessage", json.RawMessage(`{"a":`), "json.RawMessage"},
		{"complex", complex(1, 2), "complex128"},
		{"NaN in a map", map[string]any{"n": math.NaN()}, "NaN"},
		{"func in a struct", struct{ F func() }{}, "func()"},
	} {
		for _, c := range payloadCalls {
			tests = append(tests, badInput{
				name: c.name + "/" + p.name, ctx: inSpan,
				call: func(ctx context.Context) error { return c.call(ctx, p.v) },
				want: bridge.ErrNonJSONSerializable, mentions: p.mentions,
			})
		}
	}
	for _, tc := range []struct {
		name, topic string
		opts        []exporter.Option
		mentions    string
	}{
		{"empty", "", nil, "empty"},
		{"empty, though prefix and suffix would make a topic", "", affixes, "empty"},
		{"space", "order created", nil, `"order created"`},
		{"slash", "orders/created", nil, `"orders/created"`},
		{"unicode", "café", nil, `"café"`},
		{"newline", "orders\n", nil, `"orders\n"`},
		{"250 characters", strings.Repeat("a", 250), nil, "250 characters"},
		{"dot", ".", nil, `"." is reserved`},
		{"dot dot", "..", nil, `".." is reserved`},
		{"too long only with prefix and suffix", strings.Repeat("a", 249-len("pre..suf")+1), affixes, "250 characters"},
		{"space between prefix and suffix", "a b", affixes, `"pre.a b.suf"`},
	} {
		for _, c := range topicCalls {
			call := topicCall(c.name)
			tests = append(tests, badInput{
				name: c.name + "/topic " + tc.name, opts: tc.opts, ctx: inSpan,
				call: func(ctx context.Context) error { return call(ctx, tc.topic) },
				want: bridge.ErrInvalidTopic, mentions: tc.mentions,
			})
		}
	}
	tooLarge := map[string]string{
		"Emit":    strings.Repeat("x", minMaxBytes),
		"EmitRaw": strings.Repeat("x", minMaxBytes-1), // 2 quotes: one byte over
		"Log":     strings.Repeat("x", minMaxBytes/2),
	}
	for _, c := range payloadCalls {
		tests = append(tests,
			badInput{
				name: c.name + "/too large", opts: small, ctx: inSpan,
				call: func(ctx context.Context) error { return c.call(ctx, tooLarge[c.name]) },
				want: bridge.ErrMessageTooLarge, mentions: "maximum",
			},
			badInput{
				name: c.name + "/no pipeline", ctx: noSpan,
				call: func(ctx context.Context) error { return c.call(ctx, 1) },
				want: bridge.ErrNotInstalled, mentions: "no pipeline",
			},
			badInput{
				name: c.name + "/after shutdown", ctx: afterShutdown,
				call: func(ctx context.Context) error { return c.call(ctx, 1) },
				want: bridge.ErrShutdown, mentions: "shut down",
			},
		)
	}
	return append(tests, badInput{
		name: "Log/empty level", ctx: inSpan,
		call: func(ctx context.Context) error { return bridge.Log(ctx, "", "x") },
		want: bridge.ErrInvalidLevel, mentions: "level is empty",
	})
}

func TestBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	for _, tt := range badInputs() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := otelrelayertest.New(t, tt.opts...)
			spans := tracetest.NewSpanRecorder()
			rec.TracerProvider().RegisterSpanProcessor(spans)
			ctx, span := rec.Tracer().Start(t.Context(), "request")
			switch tt.ctx {
			case noSpan:
				// New does not register a default and no parallel test
				// registers one, so nothing owns a context without span.
				ctx = t.Context()
			case afterShutdown:
				span.End()
				if err := rec.TracerProvider().Shutdown(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			before := countMessages(rec)

			err := tt.call(ctx)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.mentions) {
				t.Errorf("error %q does not mention %q", err, tt.mentions)
			}
			if n := countMessages(rec); n != before {
				t.Fatalf("%d messages were produced (topics %v)", n-before, rec.Topics())
			}
			if tt.ctx == afterShutdown {
				return
			}
			if topics := rec.Topics(); len(topics) != 0 {
				t.Fatalf("messages were produced on %v", topics)
			}
			span.End()
			logs := rec.RequestLogs()
			if len(logs) != 1 || len(logs[0].Lines) != 0 || logs[0].DroppedLines != 0 {
				t.Errorf("request logs %+v, want one without lines", logs)
			}
			if evs := spans.Ended()[0].Events(); len(evs) != 0 {
				t.Errorf("span events %v, want none", evs)
			}
		})
	}
}

func countMessages(rec *otelrelayertest.Recorder) int {
	n := 0
	for _, topic := range rec.Topics() {
		n += len(rec.Messages(topic))
	}
	return n
}

// TestSizeLimitIsInclusive: a message of exactly the maximum size is written.
func TestSizeLimitIsInclusive(t *testing.T) {
	t.Parallel()
	rec := otelrelayertest.New(t, exporter.WithMaxMessageBytes(minMaxBytes))
	ctx, span := rec.Tracer().Start(t.Context(), "request")
	defer span.End()
	if err := bridge.EmitRaw(ctx, "orders", strings.Repeat("x", minMaxBytes-2)); err != nil {
		t.Fatal(err)
	}
	if msgs := rec.Messages("orders"); len(msgs) != 1 || len(msgs[0].Value) != minMaxBytes {
		t.Fatalf("got %d messages, want one of %d bytes", len(msgs), minMaxBytes)
	}
}
