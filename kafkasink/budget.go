package kafkasink

import (
	"context"
	"fmt"
)

// budget bounds the records and bytes a producer holds in flight. A tenth
// of each bound is kept for the messages given with [ProduceOptions]
// Reserve, so that others, whether their callers wait for space or not,
// cannot starve them.
type budget struct {
	waitRoom
	records, bytes         int64 // in flight
	maxRecords, maxBytes   int64
	waitRecords, waitBytes int64         // the bounds of messages without Reserve
	unfinished             int64         // admitted records whose done callback has not returned
	failed                 int64         // records failed while closing whose done callback returned
	drained                chan struct{} // closed when unfinished drops to 0, if someone waits
}

func newBudget(maxRecords, maxBytes int64) *budget {
	return &budget{
		waitRoom:    newWaitRoom(),
		maxRecords:  maxRecords,
		maxBytes:    maxBytes,
		waitRecords: maxRecords - maxRecords/10,
		waitBytes:   maxBytes - maxBytes/10,
	}
}

// acquire takes room for one record of size bytes, waiting as o and ctx
// allow (see waitRoom.acquire). A record larger than the whole byte bound
// is admitted only into an empty budget, so that it cannot wait forever.
func (b *budget) acquire(ctx context.Context, size int64, o ProduceOptions) error {
	return b.waitRoom.acquire(ctx, o.NoWait, func() (bool, error) {
		maxR, maxB := b.waitRecords, b.waitBytes
		if o.Reserve {
			maxR, maxB = b.maxRecords, b.maxBytes
		}
		if b.records == 0 || b.records+1 <= maxR && b.bytes+size <= maxB {
			b.take(size)
			return true, nil
		}
		return false, nil
	}, b.full)
}

func (b *budget) take(size int64) {
	b.records++
	b.bytes += size
	b.unfinished++
}

// admit is acquire for Produce. While the budget is below the bounds of
// messages without Reserve (the common case), the options do not matter,
// and options derives them only past that point: for a legacy Produce call
// it walks the caller's context chain, 110 ns for 30 values.
func (b *budget) admit(ctx context.Context, size int64, options func() ProduceOptions) error {
	b.mu.Lock()
	if b.records == 0 || b.records+1 <= b.waitRecords && b.bytes+size <= b.waitBytes {
		b.take(size)
		b.mu.Unlock()
		return nil
	}
	b.mu.Unlock()
	return b.acquire(ctx, size, options())
}

// release returns the room of one record of size bytes.
func (b *budget) release(size int64) {
	b.mu.Lock()
	b.records--
	b.bytes -= size
	b.wakeLocked()
	b.mu.Unlock()
}

// full is the error of a message refused for want of room; ctxErr, when
// not nil, is the error of the context it waited within.
func (b *budget) full(ctxErr error) error {
	err := fmt.Errorf("%w (%d records, %d bytes in flight)", ErrBufferFull, b.records, b.bytes)
	if ctxErr != nil {
		err = fmt.Errorf("%w: %w", err, ctxErr)
	}
	return err
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
