package exporter

import (
	"math/bits"
	"sync"
)

// Memory reuse with a sink that releases messages (kafkasink.MessageReleaser:
// a Producer without spool). Such a sink reads nothing of a message once it
// has called its done callback, so an event's allocation (delivery state,
// headers and value) and a request log's value go back to pools then,
// instead of to the garbage collector: at high request rates they are half
// of what the library allocates. With any other sink nothing is pooled.
//
// An event's allocation has two owners: the sink, until its done callback
// returns, and Processor.Emit, until it has written the request's line from
// the value and the event ID. Each gives it back with release; the second
// puts it in its pool.

// release gives back one owner's hold on ev: the last one pools it. ev must
// come from newFiredEvent with pooled set.
func (ev *firedEvent) release() {
	if ev.refs.Add(-1) != 0 {
		return
	}
	switch outer := ev.outer.(type) {
	case *firedEventSmall:
		outer.firedEvent = firedEvent{}
		smallEvents.Put(outer)
	case *firedEventMedium:
		outer.firedEvent = firedEvent{}
		mediumEvents.Put(outer)
	case *firedEventLarge:
		outer.firedEvent = firedEvent{}
		largeEvents.Put(outer)
	}
}

// giveBack is Emit's release, for a pooled ev; it does nothing otherwise.
func (ev *firedEvent) giveBack() {
	if ev.outer != nil {
		ev.release()
	}
}

var (
	smallEvents  = sync.Pool{New: func() any { return new(firedEventSmall) }}
	mediumEvents = sync.Pool{New: func() any { return new(firedEventMedium) }}
	largeEvents  = sync.Pool{New: func() any { return new(firedEventLarge) }}
)

// sized returns a new event struct of one size, from pool when pooled.
func sized[T any](pooled bool, pool *sync.Pool) *T {
	if pooled {
		return pool.Get().(*T)
	}
	return new(T)
}

// owned makes ev, the firedEvent of outer, pooled with two owners when
// pooled is set, and returns it.
func (ev *firedEvent) owned(pooled bool, outer any) *firedEvent {
	if pooled {
		ev.outer = outer
		ev.refs.Store(2)
	}
	return ev
}

// Request log values are pooled by size, powers of two from 512 bytes to
// 64 KiB; a larger value is allocated and left to the garbage collector.
const (
	minValueShift = 9
	maxValueShift = 16
)

var valuePools [maxValueShift - minValueShift + 1]sync.Pool

// newValue allocates an empty buffer of n bytes, for a value not pooled.
func newValue(n int) []byte { return make([]byte, 0, n) }

// getValue returns an empty buffer of at least n bytes from the pools, or
// nil when n is beyond the largest pooled size.
func getValue(n int) *[]byte {
	shift := max(minValueShift, bits.Len(uint(n-1)))
	if n <= 0 || shift > maxValueShift {
		return nil
	}
	if b, ok := valuePools[shift-minValueShift].Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 1<<shift)
	return &b
}

// putValue gives a buffer from getValue back.
func putValue(b *[]byte) {
	*b = (*b)[:0]
	valuePools[bits.Len(uint(cap(*b)))-1-minValueShift].Put(b)
}

// pooledLogDelivery is a request log's delivery whose value goes back to
// its pool once the sink has answered.
type pooledLogDelivery struct {
	logDelivery
	value *[]byte
}

var logDeliveries = sync.Pool{New: func() any { return new(pooledLogDelivery) }}

func (d *pooledLogDelivery) done(err error) {
	d.logDelivery.done(err)
	putValue(d.value)
	*d = pooledLogDelivery{}
	logDeliveries.Put(d)
}
