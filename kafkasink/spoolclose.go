package kafkasink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/otelrelayer/otelrelayer/internal/selflog"
)

// flush waits until every record accepted before the call has been
// acknowledged (or failed), or until ctx is done. With idle > 0 it also
// stops, returning errSpoolIdle, once no acknowledgement arrived for idle:
// the broker is not answering.
func (s *spool) flush(ctx context.Context) error {
	s.closeMu.RLock()
	closed := s.closed
	s.closeMu.RUnlock()
	if closed {
		return ErrClosed
	}
	return s.flushIdle(ctx, 0)
}

func (s *spool) flushIdle(ctx context.Context, idle time.Duration) error {
	s.wmu.Lock()
	target := s.nextSeq
	s.wmu.Unlock()
	start := time.Now().UnixNano()
	var tick <-chan time.Time
	if idle > 0 {
		t := time.NewTicker(idle / 5)
		defer t.Stop()
		tick = t.C
	}
	for {
		s.wmu.Lock()
		s.flushWanted = true
		committed := s.committed
		pending := len(s.deletes) > 0 || len(s.batch.entries) > 0 && s.batch.entries[0].seq < target ||
			s.writing != nil && s.writing.entries[0].seq < target // not in the store yet
		s.wmu.Unlock()
		if !pending {
			first, err := s.store.first()
			if err != nil {
				return fmt.Errorf("%w: reading %s: %w", ErrSpool, s.store.path, err)
			}
			if first == 0 || first >= target {
				return nil
			}
		} else {
			wake(s.writerWake)
		}
		select {
		case <-committed:
		case <-tick:
			if since := time.Duration(time.Now().UnixNano() - max(s.lastAck.Load(), start)); since >= idle {
				return errSpoolIdle
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

var errSpoolIdle = errors.New("no acknowledgement")

// spoolCloseIdle is how long Close waits for an acknowledgement before it
// leaves the remaining records in the spool: the broker is not answering.
const spoolCloseIdle = 250 * time.Millisecond

// close stops the spool: it delivers while the broker answers, then leaves
// what remains on disk for the next New, and returns within ctx. It reports
// an error only when ctx ended before the final commit was made: messages
// accepted without waiting for the disk may then be lost.
func (s *spool) close(ctx context.Context) error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	s.closeMu.Unlock()
	s.space.close() // a Produce waiting for room fails as after Close

	var errs []error
	_ = s.flushIdle(ctx, spoolCloseIdle) // what it could not deliver stays on disk
	// From here, failures leave records in the spool.
	s.stopping.Store(true)
	s.pumpStop()
	<-s.pumpDone // quick: the pump waits only on its own context
	clientClosed := make(chan struct{})
	go func() {
		s.client.Close() // fails the records in memory: ErrSpooled
		s.inflight.Wait()
		close(clientClosed)
	}()
	waitOrDone(ctx, clientClosed) // the records still in franz-go are on disk already
	close(s.writerStop)           // the final commit: queued messages and acknowledgements
	if waitOrDone(ctx, s.writerDone) {
		s.releaseQueued()
		callbacksDone := make(chan struct{})
		go func() {
			s.callbacks.Wait()
			close(callbacksDone)
		}()
		waitOrDone(ctx, callbacksDone)
		left := s.store.count()
		if err := s.store.close(); err != nil {
			errs = append(errs, fmt.Errorf("%w: closing %s: %w", ErrSpool, s.store.path, err))
		}
		if n := s.refused.take(); n > 0 && s.logger != nil { // not yet said by logRefused
			s.logger.Log(selflog.Context(), slog.LevelError, "kafkasink: the broker refused spooled records for good; they left the spool undelivered", "records", n)
		}
		if left > 0 && s.logger != nil {
			s.logger.Log(selflog.Context(), slog.LevelInfo, "kafkasink: records left in the spool for the next start", "path", s.store.path, "records", left)
		}
	} else {
		s.wmu.Lock()
		uncommitted := s.uncommitted
		s.wmu.Unlock()
		if uncommitted > 0 {
			errs = append(errs, fmt.Errorf("%w: %d messages not yet committed to %s when the context ended (they are committed if the process lives on): %w", ErrSpool, uncommitted, s.store.path, ctx.Err()))
		}
		go func() {
			<-s.writerDone
			s.releaseQueued()
			_ = s.store.close()
		}()
	}
	return errors.Join(errs...)
}

// releaseQueued gives ErrSpooled to the records the pump holds in memory:
// they stay on disk.
func (s *spool) releaseQueued() {
	f := &s.feed
	f.mu.Lock()
	es := append(append(f.retry, f.ahead...), f.queue...)
	f.retry, f.ahead, f.queue = nil, nil, nil
	f.mu.Unlock()
	for _, e := range es {
		if done := e.done; done != nil {
			e.done = nil
			done(fmt.Errorf("%w: the producer closed before the broker acknowledged it", ErrSpooled))
		}
	}
}

// waitOrDone waits until ch is closed (true) or ctx is done (false),
// preferring ch when both are.
func waitOrDone(ctx context.Context, ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
	}
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}
