package kafkasink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/otelrelayer/otelrelayer/internal/selflog"
)

// flush implements Producer.Flush with a spool.
func (s *spool) flush(ctx context.Context) error {
	s.closeMu.RLock()
	closed := s.closed
	s.closeMu.RUnlock()
	if closed {
		return ErrClosed
	}
	return s.flushUntil(ctx, nil)
}

// flushUntil waits until every record accepted before the call has been
// acknowledged (or failed), or until ctx is done, or, when stuck is not
// nil, until stuck, asked on every tick, returns an error.
func (s *spool) flushUntil(ctx context.Context, stuck func() error) error {
	s.wmu.Lock()
	target := s.nextSeq
	s.wmu.Unlock()
	var tick <-chan time.Time
	if stuck != nil {
		t := time.NewTicker(spoolCloseTick)
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
			wake(s.flushWake)
		}
		select {
		case <-committed:
		case <-tick:
			if err := stuck(); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

const (
	// spoolCloseTick is how often Close looks for progress.
	spoolCloseTick = 50 * time.Millisecond
	// spoolCloseQuiet is how long Close waits for an acknowledgement
	// before it asks whether any broker can be reached at all.
	spoolCloseQuiet = 250 * time.Millisecond
	// spoolPingTimeout bounds that question: a broker that does not
	// answer a metadata request within it counts as unreachable.
	spoolPingTimeout = 500 * time.Millisecond
)

// unreachable returns a stuck function for flushUntil: an error once no
// acknowledgement came for spoolCloseQuiet and no broker answers a ping.
// While a broker answers (even one refusing the topic, or slow), Close
// keeps delivering until its context ends.
func (s *spool) unreachable(ctx context.Context) func() error {
	quietSince := time.Now()
	lastAck := s.lastAck.Load()
	return func() error {
		if a := s.lastAck.Load(); a != lastAck {
			lastAck, quietSince = a, time.Now()
			return nil
		}
		if time.Since(quietSince) < spoolCloseQuiet {
			return nil
		}
		pctx, cancel := context.WithTimeout(ctx, spoolPingTimeout)
		err := s.client.Ping(pctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("no broker can be reached: %w", err)
		}
		quietSince = time.Now() // reachable: wait on
		return nil
	}
}

// close implements Producer.Close with a spool: it delivers while a broker
// answers, until the spool is empty or ctx ends, makes the final commit
// within ctx, and says how many records remain on disk.
func (s *spool) close(ctx context.Context) error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	s.closeMu.Unlock()
	s.space.close() // a Produce waiting for room fails as after Close

	s.feed.mu.Lock()
	s.feed.later.hurry(time.Now()) // no backoff while Close waits
	s.feed.mu.Unlock()
	wake(s.feed.wake)
	drainCtx, cancel := beforeDeadline(ctx) // room for the final commit
	why := s.flushUntil(drainCtx, s.unreachable(drainCtx))
	cancel()
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
	var errs []error
	var left int
	if waitOrDone(ctx, s.writerDone) {
		s.releaseQueued()
		callbacksDone := make(chan struct{})
		go func() {
			s.callbacks.Wait()
			close(callbacksDone)
		}()
		waitOrDone(ctx, callbacksDone)
		left = s.store.count()
		if err := s.store.close(); err != nil {
			errs = append(errs, fmt.Errorf("%w: closing %s: %w", ErrSpool, s.store.path, err))
		}
		if n := s.refused.take(); n > 0 && s.logger != nil { // not yet said by logRefused
			s.logger.Log(selflog.Context(), slog.LevelError, "kafkasink: the broker refused spooled records for good; they left the spool undelivered", "records", n)
		}
	} else {
		s.abandoned.Store(true) // no commit starts after Close returned
		s.wmu.Lock()
		uncommitted := s.uncommitted
		s.wmu.Unlock()
		if uncommitted > 0 {
			errs = append(errs, fmt.Errorf("%w: Close's context ended before the final commit to %s; %d messages not committed may be lost (a commit under way may still complete): %w", ErrSpool, s.store.path, uncommitted, ctx.Err()))
		}
		left = s.store.count()
		go func() {
			<-s.writerDone
			s.releaseQueued()
			_ = s.store.close()
		}()
	}
	if left > 0 {
		if why == nil {
			why = ctx.Err()
		}
		err := fmt.Errorf("%w: %d records remain in %s, produced by the next New on its directory (it must outlive the process)", ErrSpooled, left, s.store.path)
		if why != nil {
			err = fmt.Errorf("%w: %w", err, why)
		}
		if cause := s.brokers.cause(); cause != nil {
			err = fmt.Errorf("%w; last broker error: %w", err, cause)
		}
		errs = append(errs, err)
		if s.logger != nil {
			s.logger.Log(selflog.Context(), slog.LevelInfo, "kafkasink: records left in the spool for the next start", "path", s.store.path, "records", left)
		}
	}
	return errors.Join(errs...)
}

// releaseQueued gives ErrSpooled to the records the pump holds in memory:
// they stay on disk.
func (s *spool) releaseQueued() {
	f := &s.feed
	f.mu.Lock()
	es := append(append(append(appendEntries(nil, f.retry), f.later.takeAll()...), f.ahead...), f.queue...)
	f.retry, f.ahead, f.queue = nil, nil, nil
	f.mu.Unlock()
	for _, e := range es {
		e.report(fmt.Errorf("%w: the producer closed before the broker acknowledged it", ErrSpooled))
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
