package kafkasink

import (
	"context"
	"fmt"
)

// spoolSpace bounds the bytes of records held in the spool, from Produce
// until the broker's acknowledgement. Like the in-memory budget, it keeps a
// tenth of the bound for messages given with [ProduceOptions] Reserve.
type spoolSpace struct {
	waitRoom
	dir          string
	used         int64
	max, waitMax int64
	closed       bool // the producer closed: nobody waits anymore
}

func newSpoolSpace(dir string, max int64) *spoolSpace {
	return &spoolSpace{waitRoom: newWaitRoom(), dir: dir, max: max, waitMax: max - max/10}
}

// add counts n bytes found in the spool at start, whatever the bound.
func (s *spoolSpace) add(n int64) {
	s.mu.Lock()
	s.used += n
	s.mu.Unlock()
}

// acquire takes n bytes, waiting as o and ctx allow (see
// waitRoom.acquire); it fails with ErrClosed once the producer closes.
func (s *spoolSpace) acquire(ctx context.Context, n int64, o ProduceOptions) error {
	return s.waitRoom.acquire(ctx, o.NoWait, func() (bool, error) {
		if s.closed {
			return false, ErrClosed
		}
		limit := s.waitMax
		if o.Reserve {
			limit = s.max
		}
		if s.used+n <= limit {
			s.used += n
			return true, nil
		}
		return false, nil
	}, s.full)
}

// release returns n bytes.
func (s *spoolSpace) release(n int64) {
	s.mu.Lock()
	s.used -= n
	s.wakeLocked()
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

func (s *spoolSpace) full(ctxErr error) error {
	err := fmt.Errorf("%w: %s holds %d bytes of records waiting for the broker, its bound is %d (WithSpoolMaxBytes)", ErrSpoolFull, s.dir, s.used, s.max)
	if ctxErr != nil {
		err = fmt.Errorf("%w: %w", err, ctxErr)
	}
	return err
}
