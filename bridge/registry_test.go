package bridge

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// The tests in this file replace the process-wide registry, so none of them
// runs in parallel: parallel tests of the package only start once every
// sequential test has finished and restored it.

// isolateRegistry empties the registry for the rest of t and restores the one
// before when t ends.
func isolateRegistry(t *testing.T) {
	t.Helper()
	registry.mu.Lock()
	saved := registry.snap.Swap(nil)
	registry.mu.Unlock()
	t.Cleanup(func() {
		registry.mu.Lock()
		registry.snap.Store(saved)
		registry.mu.Unlock()
	})
}

// fakePipeline records what reaches it. It keeps copies: the bridge reuses the
// buffers of records once a call returns.
type fakePipeline struct {
	name string
	err  error // returned by Emit and Log when set

	mu    sync.Mutex
	emits []EmitRecord
	logs  []LogRecord
}

var _ Pipeline = (*fakePipeline)(nil)

func (p *fakePipeline) Emit(_ context.Context, r EmitRecord) (EmitResult, error) {
	r.Value, r.Key = slices.Clone(r.Value), slices.Clone(r.Key)
	p.mu.Lock()
	p.emits = append(p.emits, r)
	p.mu.Unlock()
	if p.err != nil {
		return EmitResult{}, p.err
	}
	return EmitResult{Topic: "full." + r.Topic, EventID: uuid.MustParse("01890a5d-ac96-774b-bcce-b302099a8057")}, nil
}

func (p *fakePipeline) Log(_ context.Context, r LogRecord) error {
	r.Payload = slices.Clone(r.Payload)
	p.mu.Lock()
	p.logs = append(p.logs, r)
	p.mu.Unlock()
	return p.err
}

func (p *fakePipeline) calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.emits) + len(p.logs)
}

// fakeProvider is a tracer provider; Bind takes pointers, and fake(id)
// returns one pointer per id, so equal ids are one provider.
type fakeProvider struct {
	noop.TracerProvider
	id int
}

var (
	fakesMu sync.Mutex
	fakes   = map[int]*fakeProvider{}
)

func fake(id int) *fakeProvider {
	fakesMu.Lock()
	defer fakesMu.Unlock()
	if fakes[id] == nil {
		fakes[id] = &fakeProvider{id: id}
	}
	return fakes[id]
}

// spanOf is a span that belongs to tp.
type spanOf struct {
	noop.Span
	tp trace.TracerProvider
}

func (s spanOf) TracerProvider() trace.TracerProvider { return s.tp }

func TestPipelineFor(t *testing.T) {
	p1, p2, p3 := &fakePipeline{name: "p1"}, &fakePipeline{name: "p2"}, &fakePipeline{name: "p3"}
	tpA, tpB := fake(1), fake(2)
	noSpan := trace.SpanFromContext(context.Background())
	bind := func(t *testing.T, tp trace.TracerProvider, p Pipeline) {
		t.Helper()
		if err := Bind(tp, p); err != nil {
			t.Fatalf("Bind(%T, %s): %v", tp, p.(*fakePipeline).name, err)
		}
	}
	tests := []struct {
		name  string
		setup func(t *testing.T)
		span  trace.Span
		want  *fakePipeline // nil: ErrNotInstalled
	}{
		{"empty registry", func(*testing.T) {}, noSpan, nil},
		{"one default", func(*testing.T) { Register(p1) }, noSpan, p1},
		{"the default registered last wins", func(*testing.T) { Register(p1); Register(p2) }, noSpan, p2},
		{"registering again makes it the default", func(*testing.T) { Register(p1); Register(p2); Register(p1) }, noSpan, p1},
		{"Unregister restores the previous default", func(*testing.T) { Register(p1); Register(p2); Unregister(p2) }, noSpan, p1},
		{"Unregister of an older default keeps the last", func(*testing.T) { Register(p1); Register(p2); Unregister(p1) }, noSpan, p2},
		{"Unregister of an unknown pipeline changes nothing", func(*testing.T) { Register(p1); Unregister(p3) }, noSpan, p1},
		{"Unregister of the only default", func(*testing.T) { Register(p1); Unregister(p1) }, noSpan, nil},
		{"a bound provider wins over the default", func(t *testing.T) { Register(p1); bind(t, tpA, p2) }, spanOf{tp: tpA}, p2},
		{"another provider falls back to the default", func(t *testing.T) { Register(p1); bind(t, tpA, p2) }, spanOf{tp: tpB}, p1},
		{"no span falls back to the default", func(t *testing.T) { Register(p1); bind(t, tpA, p2) }, noSpan, p1},
		{"a binding is no default", func(t *testing.T) { bind(t, tpA, p2) }, spanOf{tp: tpB}, nil},
		{"equal provider values are one provider", func(t *testing.T) { bind(t, fake(1), p2) }, spanOf{tp: tpA}, p2},
		{"binding the same pipeline again changes nothing", func(t *testing.T) { bind(t, tpA, p2); bind(t, tpA, p2) }, spanOf{tp: tpA}, p2},
		{"a second pipeline removed leaves the first", func(t *testing.T) { bind(t, tpA, p2); bind(t, tpA, p3); Unregister(p3) }, spanOf{tp: tpA}, p2},
		{"a second pipeline retired leaves the first", func(t *testing.T) { bind(t, tpA, p2); bind(t, tpA, p3); Retire(p3) }, spanOf{tp: tpA}, p2},
		{"Unregister removes the bindings", func(t *testing.T) { Register(p1); bind(t, tpA, p2); Unregister(p2) }, spanOf{tp: tpA}, p1},
		{"Unregister removes a default and its bindings", func(t *testing.T) { Register(p2); bind(t, tpA, p2); Unregister(p2) }, spanOf{tp: tpA}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateRegistry(t)
			tt.setup(t)
			got, err := pipelineFor(tt.span)
			if tt.want == nil {
				if !errors.Is(err, ErrNotInstalled) || got != nil {
					t.Fatalf("pipelineFor = %v, %v; want nil, ErrNotInstalled", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("pipelineFor: %v", err)
			}
			if got != Pipeline(tt.want) {
				t.Fatalf("pipelineFor = %s, want %s", got.(*fakePipeline).name, tt.want.name)
			}
		})
	}
}

// TestNotInstalled checks, with nothing registered at all, that every helper
// refuses and that a pipeline unregistered after its binding is never reached.
func TestNotInstalled(t *testing.T) {
	gone := &fakePipeline{name: "gone"}
	tp := fake(7)
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Emit", func(ctx context.Context) error { return Emit(ctx, "orders", "created", 1) }},
		{"EmitRaw", func(ctx context.Context) error { return EmitRaw(ctx, "orders", 1) }},
		{"Log", func(ctx context.Context) error { return Log(ctx, "info", 1) }},
	}
	contexts := []struct {
		name  string
		setup func(t *testing.T)
		ctx   func(t *testing.T) context.Context
	}{
		{"empty registry, no span", func(*testing.T) {}, func(t *testing.T) context.Context { return t.Context() }},
		{"unregistered pipeline, span of its provider", func(t *testing.T) {
			Register(gone)
			if err := Bind(tp, gone); err != nil {
				t.Fatal(err)
			}
			Unregister(gone)
		}, func(t *testing.T) context.Context { return trace.ContextWithSpan(t.Context(), spanOf{tp: tp}) }},
	}
	for _, c := range contexts {
		for _, call := range calls {
			t.Run(c.name+"/"+call.name, func(t *testing.T) {
				isolateRegistry(t)
				c.setup(t)
				err := call.call(c.ctx(t))
				if !errors.Is(err, ErrNotInstalled) {
					t.Fatalf("%s = %v, want ErrNotInstalled", call.name, err)
				}
				if n := gone.calls(); n != 0 {
					t.Fatalf("the unregistered pipeline received %d calls", n)
				}
			})
		}
	}
}

// TestSnapshotsAreNeverModified: lookups read a snapshot without a lock, so an
// update must build a new one rather than change the one readers may hold.
func TestSnapshotsAreNeverModified(t *testing.T) {
	isolateRegistry(t)
	p1, p2 := &fakePipeline{name: "p1"}, &fakePipeline{name: "p2"}
	Register(p1)
	Register(p2)
	if err := Bind(fake(1), p1); err != nil {
		t.Fatal(err)
	}
	held := registry.snap.Load()
	defaults, bound := slices.Clone(held.defaults), slices.Clone(held.bound)

	Register(p1) // reorders defaults
	Unregister(p2)
	if err := Bind(fake(1), p2); err != nil { // rebinds in place
		t.Fatal(err)
	}
	Unregister(p1)

	if !slices.Equal(held.defaults, defaults) || !slices.Equal(held.bound, bound) {
		t.Fatalf("a held snapshot changed: defaults %v → %v, bound %v → %v", defaults, held.defaults, bound, held.bound)
	}
}

// TestRegistryConcurrentUse runs registrations and lookups together; run with
// -race. Every lookup must see a complete snapshot: a pipeline of the base set
// or of a writer, never nil without ErrNotInstalled.
func TestRegistryConcurrentUse(t *testing.T) {
	isolateRegistry(t)
	base := &fakePipeline{name: "base"}
	Register(base)
	const writers, rounds = 4, 200
	pipelines := make([]*fakePipeline, writers)
	for i := range pipelines {
		pipelines[i] = &fakePipeline{name: "writer"}
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for i, p := range pipelines {
		wg.Go(func() {
			tp := fake(100 + i)
			for range rounds {
				Register(p)
				if err := Bind(tp, p); err != nil {
					t.Error(err)
					return
				}
				Unregister(p)
			}
		})
	}
	var readers sync.WaitGroup
	for i := range writers {
		readers.Go(func() {
			span := spanOf{tp: fake(100 + i)}
			for !stop.Load() {
				got, err := pipelineFor(span)
				if err != nil || got == nil {
					t.Errorf("pipelineFor = %v, %v while base stays registered", got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	readers.Wait()

	s := registry.snap.Load()
	if len(s.defaults) != 1 || s.defaults[0] != Pipeline(base) || len(s.bound) != 0 {
		t.Fatalf("after every writer unregistered: defaults %v, bound %v; want [base], none", s.defaults, s.bound)
	}
}

// TestRecordsReachingThePipeline checks what the bridge hands a pipeline, and
// that a pipeline's error is returned as is, with no span event recorded.
func TestRecordsReachingThePipeline(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	errPipeline := errors.New("pipeline refused")

	tests := []struct {
		name       string
		err        error
		call       func(ctx context.Context) error
		wantEmit   *EmitRecord // fields compared: Raw, Topic, EventSubtype, Value, Key, Ack
		wantLog    *LogRecord  // fields compared: Level, Payload
		wantEvents int
	}{
		{
			name:       "Emit",
			call:       func(ctx context.Context) error { return Emit(ctx, "orders", "created", map[string]any{"id": 10}) },
			wantEmit:   &EmitRecord{Topic: "orders", EventSubtype: "created", Value: []byte(`{"id":10}`)},
			wantEvents: 1,
		},
		{
			name: "Emit with key and ack",
			call: func(ctx context.Context) error {
				return Emit(ctx, "orders", "", "x", WithPartitionKey("k"), WithAck())
			},
			wantEmit:   &EmitRecord{Topic: "orders", Value: []byte(`"x"`), Key: []byte("k"), Ack: true},
			wantEvents: 1,
		},
		{
			name: "EmitRaw with ack before key",
			call: func(ctx context.Context) error {
				return EmitRaw(ctx, "audit", "x", WithAck(), WithPartitionKey([]byte("k")))
			},
			wantEmit:   &EmitRecord{Raw: true, Topic: "audit", Value: []byte(`"x"`), Key: []byte("k"), Ack: true},
			wantEvents: 1,
		},
		{
			name:       "EmitRaw",
			call:       func(ctx context.Context) error { return EmitRaw(ctx, "audit", []any{1, "a", nil}) },
			wantEmit:   &EmitRecord{Raw: true, Topic: "audit", Value: []byte(`[1,"a",null]`)},
			wantEvents: 1,
		},
		{
			name:       "Log",
			call:       func(ctx context.Context) error { return Log(ctx, "warning", "careful") },
			wantLog:    &LogRecord{Level: "warning", Payload: []byte(`"careful"`)},
			wantEvents: 1,
		},
		{
			name:     "Emit refused by the pipeline",
			err:      errPipeline,
			call:     func(ctx context.Context) error { return Emit(ctx, "orders", "created", 1) },
			wantEmit: &EmitRecord{Topic: "orders", EventSubtype: "created", Value: []byte(`1`)},
		},
		{
			name:    "Log refused by the pipeline",
			err:     errPipeline,
			call:    func(ctx context.Context) error { return Log(ctx, "info", 1) },
			wantLog: &LogRecord{Level: "info", Payload: []byte(`1`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateRegistry(t)
			p := &fakePipeline{name: tt.name, err: tt.err}
			Register(p)
			ctx, span := tp.Tracer("test").Start(t.Context(), tt.name)
			err := tt.call(ctx)
			span.End()

			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.wantEmit != nil {
				if len(p.emits) != 1 {
					t.Fatalf("pipeline got %d emits, want 1", len(p.emits))
				}
				got, want := p.emits[0], tt.wantEmit
				if got.Raw != want.Raw || got.Topic != want.Topic || got.EventSubtype != want.EventSubtype ||
					string(got.Value) != string(want.Value) || string(got.Key) != string(want.Key) || got.Ack != want.Ack {
					t.Errorf("EmitRecord = raw %v topic %q subtype %q value %s key %q ack %v, want raw %v topic %q subtype %q value %s key %q ack %v",
						got.Raw, got.Topic, got.EventSubtype, got.Value, got.Key, got.Ack,
						want.Raw, want.Topic, want.EventSubtype, want.Value, want.Key, want.Ack)
				}
				if (want.Key == nil) != (got.Key == nil) {
					t.Errorf("EmitRecord.Key = %#v, want nil only without a partition key", got.Key)
				}
				if !got.Span.Equal(span.SpanContext()) || got.Time.IsZero() {
					t.Errorf("EmitRecord span %v time %v, want the active span and a time", got.Span, got.Time)
				}
			}
			if tt.wantLog != nil {
				if len(p.logs) != 1 {
					t.Fatalf("pipeline got %d logs, want 1", len(p.logs))
				}
				got := p.logs[0]
				if got.Level != tt.wantLog.Level || string(got.Payload) != string(tt.wantLog.Payload) ||
					!got.Span.Equal(span.SpanContext()) || got.Time.IsZero() {
					t.Errorf("LogRecord = %+v, want level %q payload %s on the active span", got, tt.wantLog.Level, tt.wantLog.Payload)
				}
			}
			if n := len(endedSpan(t, spans, span).Events()); n != tt.wantEvents {
				t.Errorf("span has %d events, want %d", n, tt.wantEvents)
			}
		})
	}
}

func endedSpan(t *testing.T, spans *tracetest.SpanRecorder, s trace.Span) sdktrace.ReadOnlySpan {
	t.Helper()
	for _, e := range spans.Ended() {
		if e.SpanContext().Equal(s.SpanContext()) {
			return e
		}
	}
	t.Fatalf("span %v did not end", s.SpanContext().SpanID())
	return nil
}
