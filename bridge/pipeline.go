package bridge

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"
)

// A Pipeline receives what Emit, EmitRaw and Log record and writes it to
// Kafka. exporter.Processor is the implementation; this interface is the
// seam between the API and the SDK side, as in OpenTelemetry itself.
//
// Implementations must be safe for concurrent use, validate before they
// produce anything, and return the sentinel errors of this package.
type Pipeline interface {
	// Emit produces one event message and records it as a line of the
	// request that owns r.Span, if any.
	Emit(ctx context.Context, r EmitRecord) (EmitResult, error)
	// Log records a line of the request that owns r.Span, or writes a
	// one-line request log at once when no request owns it.
	Log(ctx context.Context, r LogRecord) error
}

// EmitRecord is one Emit or EmitRaw call, validated and encoded.
type EmitRecord struct {
	Span trace.SpanContext // the active span, possibly invalid
	Time time.Time
	// Raw is true for EmitRaw: Value is the whole message and Topic its
	// unprefixed topic. For Emit, Topic is the event type.
	Raw          bool
	Topic        string
	EventSubtype string
	// Value is the JSON payload (Emit) or message (EmitRaw). It is only
	// valid during the call: implementations copy what they keep.
	Value []byte
	Key   []byte // nil when no partition key was given
	Ack   bool   // wait for the broker's acknowledgement
}

// EmitResult tells what an Emit produced.
type EmitResult struct {
	Topic   string    // the full topic, prefix and suffix included
	EventID uuid.UUID // the relayer-event-id header
}

// LogRecord is one Log call, validated and encoded.
type LogRecord struct {
	Span  trace.SpanContext
	Time  time.Time
	Level string
	// Payload is JSON, only valid during the call.
	Payload []byte
}

// binding routes the spans of tp to p: one pipeline, or a *fanout of every
// pipeline bound to tp.
type binding struct {
	tp trace.TracerProvider
	p  Pipeline
}

// registrySnapshot is replaced, never modified, so lookups take no lock.
type registrySnapshot struct {
	defaults []Pipeline // the last one is the default; tombstones of retired ones
	bound    []binding
	retired  []retiredProvider // see Retire
}

var registry struct {
	mu   sync.Mutex
	snap atomic.Pointer[registrySnapshot]
}

func update(f func(s *registrySnapshot)) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	var next registrySnapshot
	if cur := registry.snap.Load(); cur != nil {
		next.defaults = slices.Clone(cur.defaults)
		next.bound = slices.Clone(cur.bound)
		next.retired = slices.Clone(cur.retired)
	}
	f(&next)
	next.forget(nil) // tombstones of reclaimed providers
	registry.snap.Store(&next)
}

// Register makes p the default pipeline: the one Emit, EmitRaw and Log use
// when the span in their context belongs to no bound tracer provider.
// exporter.New registers the processors it creates unless told not to. The
// pipeline registered last is the default; Unregister restores the one
// before. Registering nil does nothing.
func Register(p Pipeline) {
	if p == nil {
		return
	}
	update(func(s *registrySnapshot) {
		s.defaults = slices.DeleteFunc(s.defaults, func(q Pipeline) bool { return q == p })
		s.defaults = append(s.defaults, p)
	})
}

// Bind routes calls whose context holds a span of tp to p. Processors bind
// themselves to the tracer provider of the spans they see start. tp must be
// a pointer (SDK tracer providers are), so that finding it again is a pointer
// comparison that cannot panic.
//
// Several pipelines may be bound to one provider (two processors on one
// tracer provider, writing to two clusters): as every span processor sees
// every span, each of them receives every call with the provider's spans,
// in the order they were bound. Binding a pipeline again changes nothing.
func Bind(tp trace.TracerProvider, p Pipeline) error {
	if tp == nil || reflect.TypeOf(tp).Kind() != reflect.Pointer || reflect.ValueOf(tp).IsNil() {
		return fmt.Errorf("bridge: cannot bind tracer provider of type %T: a non-nil pointer is required", tp)
	}
	if p == nil {
		return fmt.Errorf("bridge: cannot bind tracer provider %T to a nil pipeline", tp)
	}
	update(func(s *registrySnapshot) {
		s.retired = slices.DeleteFunc(s.retired, func(r retiredProvider) bool { return r.tp.is(tp) })
		for i := range s.bound {
			if s.bound[i].tp == tp {
				if ps := members(s.bound[i].p); !slices.Contains(ps, p) {
					s.bound[i].p = join(append(slices.Clone(ps), p))
				}
				return
			}
		}
		s.bound = append(s.bound, binding{tp: tp, p: p})
	})
	return nil
}

// Unregister removes p as a default and every binding to it, and the
// tombstones [Retire] left for it. The other pipelines bound to the same
// providers keep their bindings.
func Unregister(p Pipeline) {
	update(func(s *registrySnapshot) {
		s.defaults = slices.DeleteFunc(s.defaults, func(q Pipeline) bool { return q == p })
		s.unbind(p, nil)
		s.forget(p)
	})
}

// unbind removes p from every binding; a binding left empty is deleted,
// and emptied is called with its provider.
func (s *registrySnapshot) unbind(p Pipeline, emptied func(tp trace.TracerProvider)) {
	s.bound = slices.DeleteFunc(s.bound, func(b binding) bool {
		ps := members(b.p)
		if !slices.Contains(ps, p) {
			return false
		}
		if len(ps) == 1 {
			if emptied != nil {
				emptied(b.tp)
			}
			return true
		}
		return false
	})
	for i, b := range s.bound {
		if ps := members(b.p); slices.Contains(ps, p) {
			s.bound[i].p = join(slices.DeleteFunc(slices.Clone(ps), func(q Pipeline) bool { return q == p }))
		}
	}
}

// sharesProvider reports whether p is bound to a provider together with
// another pipeline.
func (s *registrySnapshot) sharesProvider(p Pipeline) bool {
	for _, b := range s.bound {
		if ps := members(b.p); len(ps) > 1 && slices.Contains(ps, p) {
			return true
		}
	}
	return false
}

// pipelineFor returns the pipeline that owns span, else the default.
func pipelineFor(span trace.Span) (Pipeline, error) {
	s := registry.snap.Load()
	if s == nil {
		return nil, ErrNotInstalled
	}
	if len(s.bound) > 0 || len(s.retired) > 0 {
		tp := span.TracerProvider()
		for _, b := range s.bound {
			if b.tp == tp { // b.tp is a pointer: never panics
				return b.p, nil
			}
		}
		if t, ok := s.retiredFor(tp); ok {
			return t, nil // its pipeline shut down: ErrShutdown
		}
	}
	if n := len(s.defaults); n > 0 {
		return s.defaults[n-1], nil
	}
	return nil, ErrNotInstalled
}
