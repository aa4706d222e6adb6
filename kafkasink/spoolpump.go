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
// records to produce again (a retriable failure), records read ahead from
// disk, committed records kept in memory, then committed records on disk
// only. Memory stays bounded: past maxQueue records or maxQueueB bytes
// kept (a tenth of the in-memory bounds), committed records stay on disk
// only until the pump reads them.
type feeder struct {
	mu               sync.Mutex
	retry            []*spoolEntry
	ahead            []*spoolEntry // read from disk, older than queue
	queue            []*spoolEntry
	queueBytes       int64
	diskFrom, diskTo uint64 // [diskFrom, diskTo): on disk only, newer than queue
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
			if e.done != nil {
				spooled = append(spooled, e)
			}
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
				e.done(fmt.Errorf("%w: waiting on disk for the broker", ErrSpooled))
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
func (s *spool) next() *spoolEntry {
	f := &s.feed
	for {
		f.mu.Lock()
		var e *spoolEntry
		switch {
		case len(f.retry) > 0:
			e, f.retry = f.retry[0], f.retry[1:]
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
			for _, e := range es {
				e.s = s
			}
			f.mu.Lock()
			f.ahead, f.diskFrom = es, next
			f.mu.Unlock()
			continue
		default:
			ch := f.wake
			f.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-s.pumpCtx.Done():
				return nil
			}
		}
		f.mu.Unlock()
		return e
	}
}

// unread puts back a record the pump took but did not produce.
func (f *feeder) unread(e *spoolEntry) {
	f.mu.Lock()
	f.retry = append([]*spoolEntry{e}, f.retry...)
	f.mu.Unlock()
}

// pumpLoop hands records to franz-go in sequence order, as the in-memory
// budget allows: during an outage it waits here, and records wait on disk.
func (s *spool) pumpLoop() {
	defer close(s.pumpDone)
	for {
		e := s.next()
		if e == nil {
			return
		}
		if wait := time.Until(e.retryAt); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-s.pumpCtx.Done():
				t.Stop()
				s.feed.unread(e)
				return
			}
		}
		if err := s.mem.acquire(s.pumpCtx, e.size, ProduceOptions{}); err != nil {
			s.feed.unread(e)
			return
		}
		s.inflight.Add(1)
		s.client.TryProduce(e, &e.rec, finishSpooled)
	}
}

// finishSpooled is the promise of every spooled record. A spooled record is
// never dropped for being late: a failure that may pass (a delivery timeout
// or retry limit set with WithClientOptions, a full franz-go buffer) puts it
// back for the pump, after a backoff; only the broker refusing it for good
// (a non-retriable Kafka error, such as MESSAGE_TOO_LARGE), or a record
// without topic when the client has no default topic, releases it as
// failed. franz-go times a record out from its timestamp: a record produced
// again gets the time of the new attempt.
func finishSpooled(r *kgo.Record, err error) {
	e := r.Context.(*spoolEntry)
	s := e.s
	defer s.inflight.Done()
	defer s.mem.finished(false) // the spool keeps what is not delivered
	s.mem.release(e.size)
	var ke *kerr.Error
	switch {
	case err == nil, errors.As(err, &ke) && !ke.Retriable,
		r.Topic == "": // no topic, and no default topic: franz-go can never produce it
		s.acked(e, err)
	case s.stopping.Load() || errors.Is(err, kgo.ErrClientClosed):
		done := e.done
		e.done = nil
		failMessage(done, fmt.Errorf("%w: %w", ErrSpooled, err))
	default:
		e.fails++
		e.retryAt = time.Now().Add(min(100*time.Millisecond<<min(e.fails, 7), 10*time.Second))
		s.warnRetry(e, err)
		r.Timestamp = time.Time{}
		r.Partition, r.Offset, r.LeaderEpoch, r.ProducerID, r.ProducerEpoch = 0, 0, 0, 0, 0
		f := &s.feed
		f.mu.Lock()
		f.retry = append(f.retry, e)
		f.mu.Unlock()
		wake(f.wake)
	}
}

// warnRetry logs a record put back for the pump, at most once a second
// with the number put back since the last line.
func (s *spool) warnRetry(e *spoolEntry, err error) {
	n, due := s.retries.note()
	if !due || s.logger == nil {
		return
	}
	s.logger.Log(selflog.Context(), slog.LevelWarn, "kafkasink: spooled records failed, producing them again", "records", n, "topic", e.rec.Topic, "error", err, "retry_in", time.Until(e.retryAt))
}
