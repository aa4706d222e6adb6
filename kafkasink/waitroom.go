package kafkasink

import (
	"context"
	"sync"
)

// waitRoom is the wait loop of every bound a Produce call may wait on (the
// in-memory budget, the spool's space): try takes room under mu, release
// wakes those waiting.
type waitRoom struct {
	mu      sync.Mutex
	waiters int
	changed chan struct{} // closed when room is released to waiters
}

func newWaitRoom() waitRoom { return waitRoom{changed: make(chan struct{})} }

// acquire calls try, under mu, until it takes room (true) or fails (an
// error). Between tries it waits for a release, until ctx is done; with
// noWait it never waits. full, under mu, is the error once it gives up,
// given ctx's error (nil when ctx is live).
func (r *waitRoom) acquire(ctx context.Context, noWait bool, try func() (bool, error), full func(ctxErr error) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		if ok, err := try(); ok || err != nil {
			return err
		}
		if err := ctx.Err(); noWait || err != nil {
			return full(err)
		}
		r.waiters++
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		r.mu.Lock()
		r.waiters--
	}
}

// wakeLocked wakes every waiter, to try again; mu is held.
func (r *waitRoom) wakeLocked() {
	if r.waiters > 0 {
		close(r.changed)
		r.changed = make(chan struct{})
	}
}
