package exporter

import (
	"context"
	"fmt"
	"sync"
)

// maxQueuedReports bounds the failures waiting for the error handler; those
// beyond it are counted and said in the next report.
const maxQueuedReports = 4096

// reporter calls the error handler on a goroutine of its own, never on the
// sink's: a handler may well call Emit (a "delivery failed" event), which
// can wait for buffer space that only the sink's callbacks free, so calling
// it from them could stall delivery for good. The goroutine runs while
// reports wait and ends when the queue is empty.
type reporter struct {
	handler func(error)

	mu      sync.Mutex
	queue   []report
	running bool // a goroutine drains the queue
	dropped int  // reports beyond maxQueuedReports, not yet said
	closed  bool // Shutdown returned: the handler is not called anymore
}

// report is a failure for the handler, or a marker whose channel is closed
// once every report queued before it was handled.
type report struct {
	err     error
	flushed chan struct{}
}

// report queues err for the handler. After close it is dropped: no handler
// call happens after Shutdown returned.
func (r *reporter) report(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	if len(r.queue) >= maxQueuedReports {
		r.dropped++
		return
	}
	r.queue = append(r.queue, report{err: err})
	r.start()
}

// start runs the draining goroutine unless it runs. r.mu is held.
func (r *reporter) start() {
	if !r.running {
		r.running = true
		go r.drain()
	}
}

func (r *reporter) drain() {
	for {
		r.mu.Lock()
		if len(r.queue) == 0 || r.closed {
			r.running = false
			for _, q := range r.queue { // close leaves only markers
				if q.flushed != nil {
					close(q.flushed)
				}
			}
			r.queue = nil
			r.mu.Unlock()
			return
		}
		q := r.queue[0]
		r.queue = r.queue[1:]
		dropped := r.dropped
		r.dropped = 0
		r.mu.Unlock()
		if q.flushed != nil {
			close(q.flushed)
			continue
		}
		if dropped > 0 {
			r.handler(fmt.Errorf("exporter: %d failure reports dropped: the error handler did not keep up", dropped))
		}
		r.handler(q.err)
	}
}

// flush waits within ctx until every report queued so far was handled.
func (r *reporter) flush(ctx context.Context) error {
	r.mu.Lock()
	if r.closed || len(r.queue) == 0 && !r.running {
		r.mu.Unlock()
		return nil
	}
	marker := report{flushed: make(chan struct{})}
	r.queue = append(r.queue, marker)
	r.start()
	r.mu.Unlock()
	select {
	case <-marker.flushed:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("exporter: waiting for the error handler: %w", ctx.Err())
	}
}

// close flushes within ctx, then drops whatever is still queued: from its
// return on, the handler is not called again (a call under way when ctx
// ended may still finish).
func (r *reporter) close(ctx context.Context) error {
	err := r.flush(ctx)
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	return err
}
