package bridge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
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

type orderID string

type rawKey []byte

func TestPartitionKeys(t *testing.T) {
	t.Parallel()
	id := uuid.MustParse("01890a5d-ac96-774b-bcce-b302099a8057")
	callerBytes := []byte("cust-1")
	fromCallerBytes := bridge.WithPartitionKey(callerBytes)
	callerBytes[0] = 'X' // the option must hold a copy
	callerNamed := rawKey("raw-1")
	fromCallerNamed := bridge.WithPartitionKey(callerNamed)
	callerNamed[0] = 'X'

	tests := []struct {
		name string
		opts []bridge.EmitOption
		want []byte // nil: no key
	}{
		{"no key", nil, nil},
		{"ack alone", []bridge.EmitOption{bridge.WithAck()}, nil},
		{"string", []bridge.EmitOption{bridge.WithPartitionKey("cust-1")}, []byte("cust-1")},
		{"bytes", []bridge.EmitOption{bridge.WithPartitionKey([]byte{0, 1, 0xff})}, []byte{0, 1, 0xff}},
		{"bytes are copied", []bridge.EmitOption{fromCallerBytes}, []byte("cust-1")},
		{"uuid is its 16 bytes", []bridge.EmitOption{bridge.WithPartitionKey(id)}, id[:]},
		{"named string", []bridge.EmitOption{bridge.WithPartitionKey(orderID("order-7"))}, []byte("order-7")},
		{"named bytes", []bridge.EmitOption{bridge.WithPartitionKey(rawKey{0, 'r'})}, []byte{0, 'r'}},
		{"named bytes are copied", []bridge.EmitOption{fromCallerNamed}, []byte("raw-1")},
		{"the last key wins", []bridge.EmitOption{bridge.WithPartitionKey("first"), bridge.WithPartitionKey(id), bridge.WithPartitionKey("last")}, []byte("last")},
		{"ack keeps the key", []bridge.EmitOption{bridge.WithPartitionKey("k"), bridge.WithAck()}, []byte("k")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := otelrelayertest.New(t)
			ctx, span := rec.Tracer().Start(t.Context(), "request")
			defer span.End()
			if err := bridge.Emit(ctx, "orders", "created", 1, tt.opts...); err != nil {
				t.Fatal(err)
			}
			if err := bridge.EmitRaw(ctx, "raw", 1, tt.opts...); err != nil {
				t.Fatal(err)
			}
			for _, topic := range []string{"orders", "raw"} {
				msgs := rec.Messages(topic)
				if len(msgs) != 1 {
					t.Fatalf("got %d messages on %s, want 1", len(msgs), topic)
				}
				if got := msgs[0].Key; !bytes.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
					t.Errorf("key on %s = %#v, want %#v", topic, got, tt.want)
				}
			}
		})
	}
}

var errBroker = errors.New("broker says no")

// failingSink fails every message, as a broker refusing them would.
type failingSink struct{}

func (failingSink) Produce(_ context.Context, _ kafkasink.Message, done func(error)) {
	if done != nil {
		done(errBroker)
	}
}
func (failingSink) Flush(context.Context) error { return nil }
func (failingSink) Close(context.Context) error { return nil }

// heldSink accepts messages and reports nothing until released.
type heldSink struct {
	mu    sync.Mutex
	dones []func(error)
}

func (s *heldSink) Produce(_ context.Context, _ kafkasink.Message, done func(error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dones = append(s.dones, done)
}
func (s *heldSink) Flush(context.Context) error { return nil }
func (s *heldSink) Close(context.Context) error { s.release(); return nil }

func (s *heldSink) release() {
	s.mu.Lock()
	dones := s.dones
	s.dones = nil
	s.mu.Unlock()
	for _, done := range dones {
		if done != nil {
			done(nil)
		}
	}
}

// errorLog is an exporter error handler that keeps what it is given.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) handle(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) get() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// newPipeline builds what otelrelayertest.New builds, around any sink: a
// processor that is not the default and a provider that records every span.
func newPipeline(t *testing.T, sink kafkasink.Sink, opts ...exporter.Option) *sdktrace.TracerProvider {
	t.Helper()
	p, err := exporter.New("logging", sink, append([]exporter.Option{exporter.WithoutDefault()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())),
		sdktrace.WithSpanProcessor(p),
	)
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		bridge.Unregister(p)
	})
	return tp
}

func TestWithAck(t *testing.T) {
	t.Parallel()
	calls := []struct {
		name string
		call func(ctx context.Context, opts ...bridge.EmitOption) error
	}{
		{"Emit", func(ctx context.Context, opts ...bridge.EmitOption) error {
			return bridge.Emit(ctx, "orders", "created", 1, opts...)
		}},
		{"EmitRaw", func(ctx context.Context, opts ...bridge.EmitOption) error {
			return bridge.EmitRaw(ctx, "orders", 1, opts...)
		}},
	}
	tests := []struct {
		name        string
		failing     bool
		opts        []bridge.EmitOption
		wantErr     error // nil: Emit succeeds
		wantHandled error // nil: the error handler gets nothing
	}{
		{"in-memory sink, with ack", false, []bridge.EmitOption{bridge.WithAck()}, nil, nil},
		{"in-memory sink, without ack", false, nil, nil, nil},
		{"failing sink, with ack", true, []bridge.EmitOption{bridge.WithAck()}, errBroker, nil},
		{"failing sink, without ack", true, nil, nil, errBroker},
	}
	for _, tt := range tests {
		for _, c := range calls {
			t.Run(c.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				mem := otelrelayertest.NewSink()
				var sink kafkasink.Sink = mem
				if tt.failing {
					sink = failingSink{}
				}
				var handled errorLog
				tp := newPipeline(t, sink, exporter.WithErrorHandler(handled.handle))
				ctx, span := tp.Tracer("test").Start(t.Context(), "request")
				defer span.End()

				err := c.call(ctx, tt.opts...)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if err != nil && !strings.Contains(err.Error(), `"orders"`) {
					t.Errorf("error %q does not name the topic", err)
				}
				got := handled.get()
				switch {
				case tt.wantHandled == nil && len(got) != 0:
					t.Errorf("error handler got %v, want nothing", got)
				case tt.wantHandled != nil && (len(got) != 1 || !errors.Is(got[0], tt.wantHandled)):
					t.Errorf("error handler got %v, want one error wrapping %v", got, tt.wantHandled)
				case tt.wantHandled != nil && !strings.Contains(got[0].Error(), `"orders"`):
					t.Errorf("handled error %q does not name the topic", got[0])
				}
				if !tt.failing {
					if n := len(mem.Messages("orders")); n != 1 {
						t.Errorf("got %d messages, want 1", n)
					}
				}
			})
		}
	}
}

// TestWithAckStopsWaitingWhenContextIsDone uses a sink that never reports, and
// a context that is already done, so no timing is involved.
func TestWithAckStopsWaitingWhenContextIsDone(t *testing.T) {
	t.Parallel()
	sink := &heldSink{}
	var handled errorLog
	tp := newPipeline(t, sink, exporter.WithErrorHandler(handled.handle))
	ctx, span := tp.Tracer("test").Start(t.Context(), "request")
	defer span.End()
	done, cancel := context.WithCancel(ctx)
	cancel()

	err := bridge.Emit(done, "orders", "created", 1, bridge.WithAck())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !strings.Contains(err.Error(), `"orders"`) {
		t.Errorf("error %q does not name the topic", err)
	}
	sink.release()
	if got := handled.get(); len(got) != 0 {
		t.Errorf("error handler got %v, want nothing", got)
	}
}

func header(hs []kafkasink.Header, key string) string {
	for _, h := range hs {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func TestSpanEvents(t *testing.T) {
	t.Parallel()
	rec := otelrelayertest.New(t, exporter.WithTopicPrefix("pre."), exporter.WithTopicSuffix(".suf"))
	spans := tracetest.NewSpanRecorder()
	rec.TracerProvider().RegisterSpanProcessor(spans)
	ctx, root := rec.Tracer().Start(t.Context(), "request")
	childCtx, child := rec.Tracer().Start(ctx, "child")
	if err := bridge.Emit(ctx, "orders", "created", map[string]any{"id": 10}); err != nil {
		t.Fatal(err)
	}
	if err := bridge.EmitRaw(ctx, "audit", map[string]any{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if err := bridge.Log(ctx, "warning", "careful"); err != nil {
		t.Fatal(err)
	}
	if err := bridge.Emit(childCtx, "orders", "child", 2); err != nil {
		t.Fatal(err)
	}
	child.End()
	root.End()

	orders, audit := rec.Messages("pre.orders.suf"), rec.Messages("pre.audit.suf")
	if len(orders) != 2 || len(audit) != 1 {
		t.Fatalf("got %d messages on pre.orders.suf and %d on pre.audit.suf, want 2 and 1 (topics %v)", len(orders), len(audit), rec.Topics())
	}
	type event struct {
		name  string
		attrs map[attribute.Key]string
	}
	tests := []struct {
		name string
		span trace.Span
		want []event
	}{
		{"active span", root, []event{
			{bridge.EmitEventName, map[attribute.Key]string{
				bridge.EventTypeKey: "orders", bridge.EventSubtypeKey: "created", bridge.TopicKey: "pre.orders.suf",
				bridge.EventIDKey: header(orders[0].Headers, exporter.EventIDHeader),
			}},
			{bridge.EmitEventName, map[attribute.Key]string{
				bridge.TopicKey: "pre.audit.suf", bridge.EventIDKey: header(audit[0].Headers, exporter.EventIDHeader),
			}},
			{bridge.LogEventName, map[attribute.Key]string{bridge.LevelKey: "warning"}},
		}},
		{"child span", child, []event{
			{bridge.EmitEventName, map[attribute.Key]string{
				bridge.EventTypeKey: "orders", bridge.EventSubtypeKey: "child", bridge.TopicKey: "pre.orders.suf",
				bridge.EventIDKey: header(orders[1].Headers, exporter.EventIDHeader),
			}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s sdktrace.ReadOnlySpan
			for _, e := range spans.Ended() {
				if e.SpanContext().Equal(tt.span.SpanContext()) {
					s = e
				}
			}
			if s == nil {
				t.Fatal("span did not end")
			}
			evs := s.Events()
			if len(evs) != len(tt.want) {
				t.Fatalf("got %d events %v, want %d", len(evs), evs, len(tt.want))
			}
			for i, want := range tt.want {
				got := map[attribute.Key]string{}
				for _, kv := range evs[i].Attributes {
					got[kv.Key] = kv.Value.Emit()
				}
				if evs[i].Name != want.name || len(got) != len(want.attrs) {
					t.Errorf("event %d = %s %v, want %s %v", i, evs[i].Name, got, want.name, want.attrs)
					continue
				}
				for k, v := range want.attrs {
					if got[k] != v || v == "" {
						t.Errorf("event %d: %s = %q, want %q", i, k, got[k], v)
					}
				}
			}
		})
	}

	// The span event and the message carry the same time.
	var first exporter.Event
	if err := json.Unmarshal(orders[0].Value, &first); err != nil {
		t.Fatal(err)
	}
	evTime := spans.Ended()[1].Events()[0].Time
	if !evTime.Truncate(time.Microsecond).Equal(first.Timestamp.Time) {
		t.Errorf("span event at %v, event timestamp %v", evTime, first.Timestamp.Time)
	}
}

// TestEventsDoNotDependOnSampling emits on a span that is not recording, as
// with a sampler that drops the trace and no sdktrace.AlwaysRecord. It uses
// Patch, so it does not run in parallel.
func TestEventsDoNotDependOnSampling(t *testing.T) {
	tests := []struct {
		name string
		rec  func(t *testing.T, unsampled *sdktrace.TracerProvider) *otelrelayertest.Recorder
	}{
		{"default pipeline", func(t *testing.T, _ *sdktrace.TracerProvider) *otelrelayertest.Recorder {
			return otelrelayertest.Patch(t)
		}},
		{"pipeline bound to the provider", func(t *testing.T, unsampled *sdktrace.TracerProvider) *otelrelayertest.Recorder {
			rec := otelrelayertest.New(t)
			if err := bridge.Bind(unsampled, rec.Processor()); err != nil {
				t.Fatal(err)
			}
			return rec
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unsampled := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
			t.Cleanup(func() { _ = unsampled.Shutdown(context.Background()) })
			rec := tt.rec(t, unsampled)
			ctx, span := unsampled.Tracer("test").Start(t.Context(), "request")
			defer span.End()
			if span.IsRecording() {
				t.Fatal("span is recording")
			}
			if err := bridge.Emit(ctx, "orders", "created", 1); err != nil {
				t.Fatal(err)
			}
			if err := bridge.Log(ctx, "info", "no request owns this line"); err != nil {
				t.Fatal(err)
			}
			msgs := rec.Messages("orders")
			if len(msgs) != 1 {
				t.Fatalf("got %d events, want 1 (topics %v)", len(msgs), rec.Topics())
			}
			if tp := header(msgs[0].Headers, "traceparent"); !strings.HasPrefix(tp, "00-"+span.SpanContext().TraceID().String()) || !strings.HasSuffix(tp, "-00") {
				t.Errorf("traceparent %q, want the unsampled span's", tp)
			}
			// Outside a recorded request, Log writes its line at once.
			if logs := rec.RequestLogs(); len(logs) != 1 || len(logs[0].Lines) != 1 || logs[0].Lines[0].LogLevel != "info" {
				t.Errorf("request logs %+v, want one holding the info line", logs)
			}
		})
	}
}

// TestRouting changes the default pipeline, so it does not run in parallel.
func TestRouting(t *testing.T) {
	first := otelrelayertest.Patch(t)
	second := otelrelayertest.Patch(t)
	a := otelrelayertest.New(t)
	ctxA, spanA := a.Tracer().Start(t.Context(), "a")
	defer spanA.End()
	ctxFirst, spanFirst := first.Tracer().Start(t.Context(), "first")
	defer spanFirst.End()
	recorders := map[string]*otelrelayertest.Recorder{"first": first, "second": second, "a": a}

	steps := []struct {
		name   string
		before func()
		ctx    context.Context
		want   string // key of recorders; "": ErrNotInstalled
	}{
		{"a span of A reaches A, not the default", nil, ctxA, "a"},
		{"no span reaches the default registered last", nil, t.Context(), "second"},
		{"a span of an older default's provider reaches it", nil, ctxFirst, "first"},
		{"Unregister restores the previous default", func() { bridge.Unregister(second.Processor()) }, t.Context(), "first"},
		{"a span of A still reaches A", nil, ctxA, "a"},
		{"without defaults, no span is ErrNotInstalled", func() { bridge.Unregister(first.Processor()) }, t.Context(), ""},
		{"without defaults, a span of A reaches A", nil, ctxA, "a"},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before()
			}
			topic := "route-" + string(rune('a'+i))
			err := bridge.Emit(st.ctx, topic, "test", i)
			if st.want == "" {
				if !errors.Is(err, bridge.ErrNotInstalled) {
					t.Fatalf("err = %v, want ErrNotInstalled", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			for name, rec := range recorders {
				want := 0
				if name == st.want {
					want = 1
				}
				if n := len(rec.Messages(topic)); n != want {
					t.Errorf("%s got %d messages, want %d", name, n, want)
				}
			}
		})
	}
}

type sliceProvider struct {
	noop.TracerProvider
	names []string
}

type mapProvider struct {
	noop.TracerProvider
	tracers map[string]trace.Tracer
}

// providerSpan is a span of tp.
type providerSpan struct {
	noop.Span
	tp trace.TracerProvider
}

func (s providerSpan) TracerProvider() trace.TracerProvider { return s.tp }

func TestBind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		tp       trace.TracerProvider
		mentions string // "": Bind accepts tp
	}{
		{"nil", nil, "<nil>"},
		{"struct holding a slice", sliceProvider{}, "bridge_test.sliceProvider"},
		{"struct holding a map", mapProvider{}, "bridge_test.mapProvider"},
		{"pointer to a struct holding a slice", &sliceProvider{}, ""},
		{"SDK provider", sdktrace.NewTracerProvider(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := otelrelayertest.New(t)
			err := bridge.Bind(tt.tp, rec.Processor())
			if tt.mentions != "" {
				if err == nil || !strings.Contains(err.Error(), tt.mentions) {
					t.Fatalf("Bind = %v, want an error naming %s", err, tt.mentions)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ctx := trace.ContextWithSpan(t.Context(), providerSpan{tp: tt.tp})
			if err := bridge.Emit(ctx, "orders", "created", 1); err != nil {
				t.Fatal(err)
			}
			if n := len(rec.Messages("orders")); n != 1 {
				t.Fatalf("got %d messages through the binding, want 1", n)
			}
		})
	}
}

func TestEmitRawWritesTheMessageUntouched(t *testing.T) {
	t.Parallel()
	type audit struct {
		User string `json:"user"`
		N    int    `json:"n,omitempty"`
	}
	tests := []struct {
		name    string
		message any
		want    string
	}{
		{"map", map[string]any{"b": []any{true, nil}, "a": 1.5}, `{"a":1.5,"b":[true,null]}`},
		{"struct", audit{User: "ann"}, `{"user":"ann"}`},
		{"string", "plain", `"plain"`},
		{"nil", nil, `null`},
		{"raw JSON keeps its spacing", json.RawMessage(`{ "kept" : [1, 2] }`), `{ "kept" : [1, 2] }`},
		{"raw JSON keeps what encoding/json would escape", json.RawMessage(`{"html":"<b>&amp;"}`), `{"html":"<b>&amp;"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := otelrelayertest.New(t, exporter.WithTopicPrefix("pre-"), exporter.WithTopicSuffix("-suf"))
			ctx, span := rec.Tracer().Start(t.Context(), "request")
			if err := bridge.EmitRaw(ctx, "audit", tt.message); err != nil {
				t.Fatal(err)
			}
			span.End()
			if topics := rec.Topics(); len(topics) != 2 || topics[0] != "pre-audit-suf" {
				t.Fatalf("topics %v, want pre-audit-suf then the logging topic", topics)
			}
			msgs := rec.Messages("pre-audit-suf")
			if len(msgs) != 1 || string(msgs[0].Value) != tt.want {
				t.Fatalf("messages %q, want one of %s", msgs, tt.want)
			}
			// The request log holds the message as written. (Read as bytes:
			// exporter.Line only decodes objects.)
			logs := rec.Messages(rec.Processor().LoggingTopic())
			if len(logs) != 1 || !bytes.Contains(logs[0].Value, []byte(`"lines":[`+tt.want+`],`)) {
				t.Errorf("request logs %q, want one holding %s as its only line", logs, tt.want)
			}
		})
	}
}

// opsPerSpan keeps each benchmark span below the SDK's 128 events, so every
// operation does the work of a live request; spans are renewed with the
// timer stopped.
const opsPerSpan = 100

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
