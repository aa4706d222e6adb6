package kafkasink

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/otelrelayer/otelrelayer/internal/selflog"
)

// spoolAckDelay is how long the writer waits to gather acknowledgements
// into one commit when no message is waiting: acknowledged records not yet
// deleted are produced again after a crash.
const spoolAckDelay = 10 * time.Millisecond

// spoolMaxGather bounds how long gather delays a commit.
const spoolMaxGather = 2 * time.Millisecond

// writeLoop is the writer: one group commit at a time. Messages are
// committed at once (see gather), or every interval; acknowledgements alone
// wait up to spoolAckDelay for company.
func (s *spool) writeLoop() {
	defer close(s.writerDone)
	for {
		select {
		case <-s.writerWake:
		case <-s.ackWake:
			if !s.pause(spoolAckDelay, s.writerWake) {
				return
			}
		case <-s.writerStop:
			s.commitAll()
			return
		}
		s.wmu.Lock()
		flush := s.flushWanted
		s.wmu.Unlock()
		if !flush && s.interval > 0 && !s.pause(s.interval, s.flushWake) {
			return
		}
		if !flush && s.interval == 0 && !s.gather() {
			return
		}
		s.commit()
	}
}

// gather delays a commit, right after the previous one, until as many
// callers wait for it as waited when the previous one ended (those it
// released and those that came during it), or until as long as the previous
// commit took has passed since it ended. Callers released by a commit mostly
// come back soon under load; without the delay the next commit starts with
// whoever came first, the rest wait for the one after, and callers split
// into two groups that each wait for two commits. At low load the delay
// costs nothing: a message arriving later than that after the previous
// commit is committed at once. It reports false once the writer is stopped
// meanwhile (after the final commit).
func (s *spool) gather() bool {
	var t *time.Timer
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	for {
		s.wmu.Lock()
		left := s.lastDur - time.Since(s.lastEnd)
		enough := s.batch.waiters >= s.expect || s.flushWanted
		s.wmu.Unlock()
		if enough || left <= 0 {
			return true
		}
		if t == nil {
			t = time.NewTimer(left)
		}
		select {
		case <-t.C:
			return true
		case <-s.writerWake:
		case <-s.writerStop:
			s.commitAll()
			return false
		}
	}
}

// pause waits for d, or until early is signalled. When the writer is
// stopped meanwhile it makes the final commit and reports false.
func (s *spool) pause(d time.Duration, early chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-early:
	case <-s.writerStop:
		s.commitAll()
		return false
	}
	return true
}

// spoolMaxDeletes bounds the deletions a commit carries, unless more than
// eight times as many wait (then an eighth of them) or it is a flush or the
// final commit. Deleting costs about 2 µs a record here: while a backlog
// drains, acknowledgements arrive faster than that, and a commit carrying all
// of them (tens of thousands) held every Emit waiting for it for up to 100 ms,
// while the next one gathered even more.
const spoolMaxDeletes = 1024

// commitAll is commit with every acknowledged record deleted: the final one.
func (s *spool) commitAll() { s.commitSome(true) }

// commit is commitSome(false).
func (s *spool) commit() { s.commitSome(false) }

// commitSome writes the waiting batch and deletes the acknowledged records
// (all of them, or as spoolMaxDeletes allows) in one transaction, then hands
// the batch to the pump.
func (s *spool) commitSome(all bool) {
	s.wmu.Lock()
	var b *spoolBatch // nil: no message waits
	if len(s.batch.entries) > 0 {
		b, s.batch = s.batch, &spoolBatch{done: make(chan struct{})}
		s.writing = b // pending for flush until it is in the store
	}
	dels := s.deletes
	s.deletes = nil
	if n := max(spoolMaxDeletes, len(dels)/8); n < len(dels) && !all && !s.flushWanted {
		slices.Sort(dels)
		dels, s.deletes = dels[:n], slices.Clone(dels[n:])
		wake(s.ackWake) // the rest with the next commit
	}
	s.flushWanted = false
	s.wmu.Unlock()
	if b == nil && len(dels) == 0 {
		return
	}
	start := time.Now()
	if b == nil {
		b = &spoolBatch{}
	}
	var err error
	if s.failpoints.beforeCommit != nil {
		s.failpoints.beforeCommit()
	}
	switch {
	case s.abandoned.Load():
		err = errors.New("Close returned before this commit")
	case s.failpoints.commit != nil:
		err = s.failpoints.commit()
	default:
		err = s.store.commit(b.entries, dels)
	}
	if err != nil {
		err = fmt.Errorf("%w: writing to %s: %w", ErrSpool, s.store.path, err)
		if s.logger != nil {
			s.logger.Log(selflog.Context(), slog.LevelError, "kafkasink: spool commit failed", "error", err, "records", len(b.entries))
		}
		s.wmu.Lock()
		s.deletes = append(s.deletes, dels...) // tried again with the next commit
		s.wmu.Unlock()
		for _, e := range b.entries {
			s.space.release(e.disk)
		}
	}
	if b.done != nil {
		var pending int64
		for _, e := range b.entries {
			pending += e.disk + e.size
		}
		s.wmu.Lock()
		s.uncommitted -= len(b.entries)
		s.pendingB -= pending
		s.writing = nil
		s.expect, s.lastEnd = b.waiters+s.batch.waiters, time.Now()
		s.lastDur = min(s.lastEnd.Sub(start), spoolMaxGather)
		s.wmu.Unlock()
		if err == nil {
			close(b.done)
			for _, e := range b.entries {
				e.data = nil
			}
			s.feed.push(s, b.entries)
		} else {
			// The failures, then the waiting Produce calls, which return
			// once their done has been called.
			s.callLater(func() {
				for _, e := range b.entries {
					e.report(err)
				}
				close(b.done)
			})
		}
	}
	s.wmu.Lock()
	close(s.committed)
	s.committed = make(chan struct{})
	s.wmu.Unlock()
}

// callLater runs done callbacks on a goroutine of their own, never the
// writer's: a callback may produce again, and that Produce waits for a
// commit that only the writer makes. close waits for them.
func (s *spool) callLater(f func()) {
	s.callbacks.Add(1)
	go func() {
		defer s.callbacks.Done()
		f()
	}()
}
