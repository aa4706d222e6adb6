package kafkasink

import (
	"context"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// spoolSpace bounds the bytes of records held in the spool, from Produce
// until the broker's acknowledgement. Like the in-memory budget, it keeps a
// tenth of the bound for reserved calls (the exporter's request logs,
// marked with [Reserved]).
type spoolSpace struct {
	dir          string
	mu           sync.Mutex
	used         int64
	max, waitMax int64
	waiters      int
	changed      chan struct{} // closed when space is released to waiters
	closed       bool          // the producer closed: nobody waits anymore
}

func newSpoolSpace(dir string, max int64) *spoolSpace {
	return &spoolSpace{dir: dir, max: max, waitMax: max - max/10, changed: make(chan struct{})}
}

// add counts n bytes found in the spool at start, whatever the bound.
func (s *spoolSpace) add(n int64) {
	s.mu.Lock()
	s.used += n
	s.mu.Unlock()
}

// acquire takes n bytes. It waits while the spool is full, until ctx is
// done or the producer closes; with ctx already done it never waits. Only a reserved call may use
// the reserve.
func (s *spoolSpace) acquire(ctx context.Context, n int64, reserved bool) error {
	mayWait := ctx.Err() == nil
	s.mu.Lock()
	for {
		if s.closed {
			s.mu.Unlock()
			return fmt.Errorf("kafkasink: producer closed: %w", kgo.ErrClientClosed)
		}
		limit := s.waitMax
		if reserved {
			limit = s.max
		}
		if s.used+n <= limit {
			s.used += n
			s.mu.Unlock()
			return nil
		}
		if !mayWait {
			used := s.used
			s.mu.Unlock()
			return s.full(ctx, used)
		}
		s.waiters++
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		s.mu.Lock()
		s.waiters--
		if ctx.Err() != nil {
			used := s.used
			s.mu.Unlock()
			return s.full(ctx, used)
		}
	}
}

// release returns n bytes.
func (s *spoolSpace) release(n int64) {
	s.mu.Lock()
	s.used -= n
	if s.waiters > 0 {
		close(s.changed)
		s.changed = make(chan struct{})
	}
	s.mu.Unlock()
}

// close fails the acquisitions waiting and those to come.
func (s *spoolSpace) close() {
	s.mu.Lock()
	s.closed = true
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

func (s *spoolSpace) full(ctx context.Context, used int64) error {
	return fmt.Errorf("%w: %s holds %d bytes of records waiting for the broker, its bound is %d (WithSpoolMaxBytes): %w", ErrSpoolFull, s.dir, used, s.max, ctx.Err())
}
