package bridge

import (
	"context"
	"reflect"
	"slices"
	"unsafe"
	"weak"

	"go.opentelemetry.io/otel/trace"
)

// Retire records that p has shut down: from then on, calls that would have
// reached p (as the default pipeline, or through the tracer providers bound
// to it) return [ErrShutdown], and the registry keeps no reference to p or
// to those providers, which the garbage collector can then reclaim. When
// other pipelines are bound to one of p's providers (two processors on one
// tracer provider, one of them removed), calls go on to them, and p is no
// default anymore: nothing returns ErrShutdown while they are installed. A
// pipeline calls it when it shuts down (exporter.Processor.Shutdown does).
//
// What remains is a tombstone per binding and per default, which refers to
// the provider and to p weakly: a tombstone whose provider was reclaimed is
// dropped at the next change to the registry, consecutive default tombstones
// are merged into one, and [Unregister](p) removes p's tombstones. Pipelines
// should be pointers (exporter.Processor is): a tombstone of another kind of
// pipeline cannot be removed by Unregister.
func Retire(p Pipeline) {
	if p == nil {
		return
	}
	if _, ok := p.(*tombstone); ok {
		return
	}
	owner := makeWeakRef(p)
	update(func(s *registrySnapshot) {
		if s.sharesProvider(p) {
			// Removed from a provider other pipelines serve too: calls go
			// on to those, as the default as well.
			s.defaults = slices.DeleteFunc(s.defaults, func(q Pipeline) bool { return q == p })
		}
		for i, q := range s.defaults {
			if q == p {
				s.defaults[i] = &tombstone{owner: owner}
			}
		}
		s.defaults = compactTombstones(s.defaults)
		s.unbind(p, func(tp trace.TracerProvider) {
			s.retired = appendRetired(s.retired, tp, owner)
		})
	})
}

// RetireProvider makes calls with spans of tp return [ErrShutdown], holding
// tp and p weakly, unless tp is bound to a live pipeline. A pipeline that
// shut down before it bound tp calls it when it sees a span of tp start, so
// that tp's later calls get ErrShutdown rather than [ErrNotInstalled] or the
// default pipeline. tp must be a non-nil pointer, as for [Bind]; other
// values are ignored.
func RetireProvider(tp trace.TracerProvider, p Pipeline) {
	if tp == nil || reflect.TypeOf(tp).Kind() != reflect.Pointer || reflect.ValueOf(tp).IsNil() {
		return
	}
	owner := makeWeakRef(p)
	update(func(s *registrySnapshot) {
		for _, b := range s.bound {
			if b.tp == tp {
				return
			}
		}
		s.retired = appendRetired(s.retired, tp, owner)
	})
}

// tombstone stands for a pipeline that shut down.
type tombstone struct {
	owner weakRef // the pipeline, weakly, for Unregister
}

func (*tombstone) Emit(context.Context, EmitRecord) (EmitResult, error) {
	return EmitResult{}, ErrShutdown
}

func (*tombstone) Log(context.Context, LogRecord) error { return ErrShutdown }

// retiredProvider is a tracer provider whose pipeline shut down.
type retiredProvider struct {
	tp    weakRef
	owner weakRef
	stone *tombstone
}

func appendRetired(retired []retiredProvider, tp trace.TracerProvider, owner weakRef) []retiredProvider {
	for _, r := range retired {
		if r.tp.is(tp) {
			return retired
		}
	}
	return append(retired, retiredProvider{tp: makeWeakRef(tp), owner: owner, stone: &tombstone{owner: owner}})
}

// retiredFor returns the tombstone of tp, if its pipeline shut down.
func (s *registrySnapshot) retiredFor(tp trace.TracerProvider) (*tombstone, bool) {
	for _, r := range s.retired {
		if r.tp.is(tp) {
			return r.stone, true
		}
	}
	return nil, false
}

// forget drops what the registry keeps of p once it is unregistered, and the
// tombstones of reclaimed providers.
func (s *registrySnapshot) forget(p Pipeline) {
	s.defaults = slices.DeleteFunc(s.defaults, func(q Pipeline) bool {
		t, ok := q.(*tombstone)
		return ok && p != nil && t.owner.is(p)
	})
	s.retired = slices.DeleteFunc(s.retired, func(r retiredProvider) bool {
		return !r.tp.alive() || p != nil && r.owner.is(p)
	})
}

// compactTombstones merges consecutive default tombstones, keeping the
// newest, so that pipelines registered and shut down one after the other
// leave one.
func compactTombstones(defaults []Pipeline) []Pipeline {
	out := defaults[:0]
	for i, q := range defaults {
		if _, stone := q.(*tombstone); stone && i+1 < len(defaults) {
			if _, next := defaults[i+1].(*tombstone); next {
				continue // the next one, newer, stands for both
			}
		}
		out = append(out, q)
	}
	clear(defaults[len(out):])
	return out
}

// weakRef identifies a pointer without keeping its object alive: its dynamic
// type and a weak pointer to its address.
type weakRef struct {
	typ reflect.Type
	ptr weak.Pointer[byte]
}

// makeWeakRef returns a weakRef of v, a pointer; the zero weakRef, which
// matches nothing, for anything else.
func makeWeakRef(v any) weakRef {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return weakRef{}
	}
	return weakRef{typ: rv.Type(), ptr: weak.Make((*byte)(rv.UnsafePointer()))}
}

// is reports whether v is the pointer w was made from, while it is alive.
func (w weakRef) is(v any) bool {
	if w.typ == nil {
		return false
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.Type() == w.typ && !rv.IsNil() &&
		unsafe.Pointer(w.ptr.Value()) == rv.UnsafePointer()
}

func (w weakRef) alive() bool { return w.typ != nil && w.ptr.Value() != nil }
