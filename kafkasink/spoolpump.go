package kafkasink

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/selflog"
)

// feeder holds what the pump hands to franz-go next, in this order:
// records taken back unproduced (Close), records to produce again whose
// backoff is over, records read ahead from disk, committed records kept in
// memory, then committed records on disk only. Memory stays bounded: past
// maxQueue records or maxQueueB bytes kept (a tenth of the in-memory
// bounds), committed records stay on disk only until the pump reads them,
// and records waiting for a retry keep only their sequence number (a
// retryItem).
type feeder struct {
	mu               sync.Mutex
	retry            []retryItem   // taken by the pump, not produced, or due for a retry
	later            retryQueue    // failed, waiting for their backoff
	laterBytes       int64         // their bytes kept in memory
	laterKept        int           // how many of them are kept in memory
	ahead            []*spoolEntry // read from disk, older than queue
	queue            []*spoolEntry
	queueBytes       int64
	diskFrom, diskTo uint64          // [diskFrom, diskTo): on disk only, newer than queue
	skip             map[uint64]bool // found on the broker by recovery: not produced again
	wake             chan struct{}
}

// push takes newly committed entries, in sequence order.
func (f *feeder) push(s *spool, es []*spoolEntry) {
	var spooled []*spoolEntry
	f.mu.Lock()
	for _, e := range es {
		if f.diskFrom < f.diskTo || len(f.queue) >= s.maxQueue || f.queueBytes+e.size > s.maxQueueB {
			if f.diskFrom >= f.diskTo {
				f.diskFrom = e.seq
			}
			f.diskTo = e.seq + 1
			spooled = append(spooled, e)
			continue
		}
		f.queue = append(f.queue, e)
		f.queueBytes += e.size
	}
	f.mu.Unlock()
	wake(f.wake)
	if len(spooled) > 0 { // the pump will read them back without their callbacks
		s.callLater(func() {
			for _, e := range spooled {
				e.report(fmt.Errorf("%w: waiting on disk for the broker", ErrSpooled))
			}
		})
	}
}

// spoolReadAhead bounds one read from disk.
const (
	spoolReadAhead      = 256
	spoolReadAheadBytes = 1 << 20
)

// next returns the record to produce next, or nil once the pump stops.
// A record of a topic in backoff joins the topic's records waiting there.
func (s *spool) next() *spoolEntry {
	f := &s.feed
	for {
		f.mu.Lock()
		due, wait := f.later.due(time.Now())
		if due != nil {
			for _, it := range due {
				if it.e != nil {
					f.laterBytes -= it.e.size
					f.laterKept--
				}
			}
			f.retry = append(due, f.retry...)
			f.mu.Unlock()
			continue
		}
		var e *spoolEntry
		switch {
		case len(f.retry) > 0:
			var it retryItem
			it, f.retry = f.retry[0], f.retry[1:]
			if it.e == nil { // on disk only
				if f.later.backingOff(it.topic) {
					f.later.hold(it, 0)
					f.mu.Unlock()
					continue
				}
				f.mu.Unlock()
				if e = s.reload(it.seq, it.fails); e == nil {
					continue
				}
				return e
			}
			e = it.e
		case len(f.ahead) > 0:
			e, f.ahead = f.ahead[0], f.ahead[1:]
		case len(f.queue) > 0:
			e, f.queue[0], f.queue = f.queue[0], nil, f.queue[1:]
			f.queueBytes -= e.size
			if len(f.queue) == 0 {
				f.queue = nil // let the array go
			}
		case f.diskFrom < f.diskTo:
			from, to := f.diskFrom, f.diskTo
			f.mu.Unlock()
			es, next, err := s.store.read(from, to, spoolReadAhead, spoolReadAheadBytes)
			if err != nil && s.logger != nil {
				// Not silent: the record stays in the file, and the next
				// New refuses the file, naming it.
				s.logger.Log(selflog.Context(), slog.LevelError, "kafkasink: spooled record unreadable, skipped", "error", err)
			}
			f.mu.Lock()
			kept := es[:0]
			for _, e := range es {
				if f.skip[e.seq] {
					delete(f.skip, e.seq)
					continue
				}
				e.s = s
				kept = append(kept, e)
			}
			f.ahead, f.diskFrom = kept, next
			f.mu.Unlock()
			continue
		default:
			ch := f.wake
			f.mu.Unlock()
			if !s.idle(ch, wait) {
				return nil
			}
			continue
		}
		if f.later.backingOff(e.rec.Topic) {
			stub := f.holdLocked(s, e, 0)
			f.mu.Unlock()
			if stub {
				e.report(fmt.Errorf("%w: waiting on disk for the broker", ErrSpooled))
			}
			continue
		}
		f.mu.Unlock()
		return e
	}
}

// idle waits for a wake on ch, or for wait when positive (the next
// retry's time). It reports false once the pump stops.
func (s *spool) idle(ch chan struct{}, wait time.Duration) bool {
	var timer <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ch:
	case <-timer:
	case <-s.pumpCtx.Done():
		return false
	}
	return true
}

// unread puts back a record the pump took but did not produce.
func (f *feeder) unread(e *spoolEntry) {
	f.mu.Lock()
	f.retry = append([]retryItem{{e: e, seq: e.seq, topic: e.rec.Topic, fails: e.fails}}, f.retry...)
	f.mu.Unlock()
}

// pumpLoop hands records to franz-go in sequence order, as the in-memory
// budget allows: during an outage it waits here, and records wait on disk.
func (s *spool) pumpLoop() {
	defer close(s.pumpDone)
	if s.earlierTo > 0 {
		s.releaseFound(s.recoverEarlier(s.earlierFrom, s.earlierTo))
	}
	for {
		e := s.next()
		if e == nil {
			return
		}
		if err := s.mem.acquire(s.pumpCtx, e.size, ProduceOptions{}); err != nil {
			s.feed.unread(e)
			return
		}
		s.inflight.Add(1)
		// Produced with the time of the hand-off (franz-go's now), never
		// earlier than the spool time recovery scans from: franz-go times
		// a record out from its timestamp, and a record that waited on
		// disk would time out at once on its first retry.
		e.rec.Timestamp = time.Time{}
		s.client.TryProduce(e, &e.rec, finishSpooled)
	}
}

// finishSpooled is the promise of every spooled record. Only an error
// about the record itself (recordFault) releases it as failed; any other
// failure (about the topic or the cluster, or franz-go's delivery timeout,
// which keeps a stuck partition from holding the in-memory budget) puts it
// back with a backoff of its own, the record staying on disk.
func finishSpooled(r *kgo.Record, err error) {
	e := r.Context.(*spoolEntry)
	s := e.s
	defer s.inflight.Done()
	defer s.mem.finished(false) // the spool keeps what is not delivered
	s.mem.release(e.size)
	switch {
	case err == nil, recordFault(r, err):
		s.acked(e, err)
	case s.stopping.Load() || errors.Is(err, kgo.ErrClientClosed):
		e.report(fmt.Errorf("%w: %w", ErrSpooled, err))
	default:
		e.fails++
		e.retryAt = time.Now().Add(spoolBackoff(e.fails))
		s.warnRetry(e, err)
		r.Partition, r.Offset, r.LeaderEpoch, r.ProducerID, r.ProducerEpoch = 0, 0, 0, 0, 0
		s.feed.putBack(s, e)
	}
}

// putBack puts e back, its topic backing off as e's failures ask.
func (f *feeder) putBack(s *spool, e *spoolEntry) {
	f.mu.Lock()
	stub := f.holdLocked(s, e, spoolBackoff(e.fails))
	f.mu.Unlock()
	wake(f.wake)
	if stub {
		e.report(fmt.Errorf("%w: waiting on disk for the broker", ErrSpooled))
	}
}

// holdLocked adds e to its topic's records in backoff. Past the feeder's
// memory bound, e keeps only its sequence number (the pump reads it back
// from disk): it reports true then, and e's done callback is to learn that
// the record waits on disk.
func (f *feeder) holdLocked(s *spool, e *spoolEntry, after time.Duration) (stub bool) {
	it := retryItem{e: e, seq: e.seq, topic: e.rec.Topic, fails: e.fails}
	if stub = f.laterBytes+e.size > s.maxQueueB || f.laterKept >= s.maxQueue; stub {
		it.e = nil // the record is read back from disk when due
	} else {
		f.laterBytes += e.size
		f.laterKept++
	}
	f.later.hold(it, after)
	return stub
}

// reload returns record seq, which waited on disk only after fails
// failures, read back from disk, or nil when it is no longer there.
func (s *spool) reload(seq uint64, fails int) *spoolEntry {
	es, _, err := s.store.read(seq, seq+1, 1, 1)
	if err != nil && s.logger != nil {
		s.logger.Log(selflog.Context(), slog.LevelError, "kafkasink: spooled record unreadable, skipped", "error", err)
	}
	if len(es) == 0 {
		return nil
	}
	r := es[0]
	r.s, r.fails = s, fails
	r.claimed.Store(true) // its done callback was told ErrSpooled
	return r
}

// warnRetry logs a record put back for the pump, at most once a second
// with the number put back since the last line.
func (s *spool) warnRetry(e *spoolEntry, err error) {
	n, due := s.retries.note()
	if !due || s.logger == nil {
		return
	}
	level := slog.LevelWarn
	var ke *kerr.Error
	if errors.As(err, &ke) && !ke.Retriable { // someone must act: an ACL, a topic, a policy
		level = slog.LevelError
	}
	s.logger.Log(selflog.Context(), level, "kafkasink: spooled records failed; they stay in the spool and are produced again", "records", n, "topic", e.rec.Topic, "event_id", eventID(&e.rec), "error", err, "retry_in", time.Until(e.retryAt).Round(time.Millisecond))
}
