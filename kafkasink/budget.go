package kafkasink

import (
	"context"
	"fmt"
	"sync"
)

// budget bounds the records and bytes a Producer holds in flight. A tenth
// of each bound is kept for the reserved acquisitions (the exporter's
// request logs, marked with [Reserved]), so that events, whether their
// callers wait for space or not, cannot starve them.
type budget struct {
	mu                     sync.Mutex
	records, bytes         int64 // in flight
	maxRecords, maxBytes   int64
	waitRecords, waitBytes int64 // the bounds for those that may wait
	waiters                int
	changed                chan struct{} // closed when space is released to waiters
	unfinished             int64         // admitted records whose done callback has not returned
	failed                 int64         // records failed while closing whose done callback returned
	drained                chan struct{} // closed when unfinished drops to 0, if someone waits
}

func newBudget(maxRecords, maxBytes int64) *budget {
	return &budget{
		maxRecords:  maxRecords,
		maxBytes:    maxBytes,
		waitRecords: maxRecords - maxRecords/10,
		waitBytes:   maxBytes - maxBytes/10,
		changed:     make(chan struct{}),
	}
}

// acquire takes room for one record of size bytes. It waits while the
// budget is full, until ctx is done; with ctx already done it never waits.
// Only a reserved acquisition may use the reserve. A record larger than the
// whole byte bound is admitted only into an empty budget, so that it cannot
// wait forever.
func (b *budget) acquire(ctx context.Context, size int64, reserved bool) error {
	mayWait := ctx.Err() == nil
	b.mu.Lock()
	for {
		maxR, maxB := b.waitRecords, b.waitBytes
		if reserved {
			maxR, maxB = b.maxRecords, b.maxBytes
		}
		if b.records == 0 || b.records+1 <= maxR && b.bytes+size <= maxB {
			b.records++
			b.bytes += size
			b.unfinished++
			b.mu.Unlock()
			return nil
		}
		if !mayWait {
			b.mu.Unlock()
			return b.full(ctx)
		}
		b.waiters++
		ch := b.changed
		b.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		b.mu.Lock()
		b.waiters--
		if ctx.Err() != nil {
			b.mu.Unlock()
			return b.full(ctx)
		}
	}
}

// admit is acquire for Produce: a call marked with [Reserved] may use the
// reserve. While the budget is below the bounds of those that may wait (the
// common case), whether ctx is reserved or done does not matter, and ctx is
// not looked at: both lookups walk the caller's context chain, 110 ns for 30
// values.
func (b *budget) admit(ctx context.Context, size int64) error {
	b.mu.Lock()
	if b.records == 0 || b.records+1 <= b.waitRecords && b.bytes+size <= b.waitBytes {
		b.records++
		b.bytes += size
		b.unfinished++
		b.mu.Unlock()
		return nil
	}
	b.mu.Unlock()
	return b.acquire(ctx, size, isReserved(ctx))
}

// release returns the room of one record of size bytes.
func (b *budget) release(size int64) {
	b.mu.Lock()
	b.records--
	b.bytes -= size
	if b.waiters > 0 {
		close(b.changed)
		b.changed = make(chan struct{})
	}
	b.mu.Unlock()
}

func (b *budget) full(ctx context.Context) error {
	return fmt.Errorf("%w (%d records, %d bytes in flight): %w", ErrBufferFull, b.maxRecords, b.maxBytes, ctx.Err())
}

// finished is called once the done callback of a record whose room was
// released has returned; failed counts it as not delivered (see
// undelivered). Both change under one lock, so that a record is never
// counted twice, or not at all.
func (b *budget) finished(failed bool) {
	b.mu.Lock()
	b.unfinished--
	if failed {
		b.failed++
	}
	if b.unfinished == 0 && b.drained != nil {
		close(b.drained)
		b.drained = nil
	}
	b.mu.Unlock()
}

// waitFinished waits until every record admitted is released and its done
// callback has returned.
func (b *budget) waitFinished() {
	b.mu.Lock()
	if b.unfinished == 0 {
		b.mu.Unlock()
		return
	}
	if b.drained == nil {
		b.drained = make(chan struct{})
	}
	ch := b.drained
	b.mu.Unlock()
	<-ch
}

// undelivered is the number of records admitted whose done callback has not
// returned yet, plus those counted failed when theirs returned.
func (b *budget) undelivered() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.unfinished + b.failed
}
