package kafkasink

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/selflog"
)

// spool sits between Produce and franz-go when [WithSpool] is given.
// Produce appends a message to the store through the writer (one goroutine,
// group commits); committed records go to the pump (one goroutine), which
// hands them to franz-go in sequence order as the in-memory budget allows;
// their promise records the acknowledgement, which the writer deletes with
// its next commit.
type spool struct {
	store    *spoolStore
	client   *kgo.Client
	mem      *budget // the producer's in-memory budget: records in franz-go
	brokers  *brokerErrors
	space    *spoolSpace // bytes in the spool
	interval time.Duration
	logger   *slog.Logger

	closeMu sync.RWMutex // Produce holds it for reading while it enqueues
	closed  bool

	// The writer's state, under wmu.
	wmu         sync.Mutex
	nextSeq     uint64
	batch       *spoolBatch   // waiting for the next commit
	writing     *spoolBatch   // being committed, nil between commits
	uncommitted int           // messages accepted, not yet committed (or failed)
	pendingB    int64         // their bytes in memory
	deletes     []uint64      // acknowledged, waiting for the next commit
	flushWanted bool          // commit at once, even deletes only
	expect      int           // callers waiting when the last commit of messages ended, released or not
	lastEnd     time.Time     // when it ended
	lastDur     time.Duration // how long it took, at most spoolMaxGather
	committed   chan struct{} // closed and replaced after each commit
	writerWake  chan struct{} // messages or a flush wait
	flushWake   chan struct{} // a flush waits: ends the commit interval's pause
	ackWake     chan struct{} // acknowledgements wait
	writerStop  chan struct{}
	writerDone  chan struct{}

	feed      feeder
	pumpCtx   context.Context
	pumpStop  context.CancelFunc
	pumpDone  chan struct{}
	stopping  atomic.Bool    // Close gave up on delivery: failures leave records on disk
	abandoned atomic.Bool    // Close returned before the final commit: commit nothing more
	inflight  sync.WaitGroup // records in franz-go
	callbacks sync.WaitGroup // done callbacks the writer left to goroutines
	lastAck   atomic.Int64   // unix nanoseconds of the last acknowledgement
	retries   everySecond    // records put back for the pump
	refused   everySecond    // records refused for good without a callback
	maxQueue  int            // committed records kept in memory for the pump
	maxQueueB int64

	failpoints spoolFailpoints

	// Recovery: the records an earlier process left, checked against the
	// partitions' tails before they are produced (recoverEarlier).
	earlierFrom, earlierTo uint64
	consumerOpts           []kgo.Opt
	recovery               recoveryCounts // what it did, for Producer.SpoolRecovery
}

// spoolFailpoints are the named points where tests inject faults, as
// bbolt's failpoints do; all nil outside tests.
type spoolFailpoints struct {
	beforeCommit func()       // runs on the writer before each commit: a stalled disk
	commit       func() error // replaces each commit's result when not nil: a failing disk
}

// spoolBatch is one group commit: the entries enqueued since the last one.
type spoolBatch struct {
	entries []*spoolEntry
	waiters int           // callers waiting for done
	done    chan struct{} // closed once committed (or failed)
}

// spoolEntry is one record on its way: in the writer's batch, in the pump's
// queue, or in franz-go. It is its record's Context (never canceled), so that
// the promise finds it.
type spoolEntry struct {
	context.Context
	s       *spool
	seq     uint64
	rec     kgo.Record
	data    []byte      // the encoded record, until committed
	size    int64       // the in-memory budget's measure
	disk    int64       // bytes in the spool
	done    func(error) // called once, by whoever claims it (report)
	claimed atomic.Bool
	fails   int
	retryAt time.Time
}

// report calls e's done callback with err unless someone already did, and
// says whether it did. A message's done is claimed by the first of: its
// acknowledgement or refusal, a failed commit, Produce's context ending
// before the commit, and ErrSpooled (waiting on disk, or Close).
func (e *spoolEntry) report(err error) bool {
	if e.claimed.Swap(true) {
		return false
	}
	done := e.done
	e.done = nil
	if done == nil {
		return false
	}
	done(err)
	return true
}

func newSpoolEntry(seq uint64, m Message, ts time.Time, disk int64, done func(error)) *spoolEntry {
	e := &spoolEntry{Context: context.Background(), seq: seq, size: messageSize(m), disk: disk, done: done}
	e.rec = kgo.Record{Topic: m.Topic, Key: m.Key, Value: m.Value, Headers: m.Headers, Timestamp: ts, Context: e}
	return e
}

// openSpool opens the store and prepares to produce what it holds first.
func openSpool(c config) (*spool, error) {
	store, found, err := openSpoolStore(c.spool.dir)
	if err != nil {
		return nil, err
	}
	s := &spool{
		store:      store,
		space:      newSpoolSpace(c.spool.dir, c.spool.maxBytes),
		interval:   c.spool.commitInterval,
		logger:     c.logger,
		nextSeq:    found.last + 1,
		batch:      &spoolBatch{done: make(chan struct{})},
		committed:  make(chan struct{}),
		writerWake: make(chan struct{}, 1),
		flushWake:  make(chan struct{}, 1),
		ackWake:    make(chan struct{}, 1),
		writerStop: make(chan struct{}),
		writerDone: make(chan struct{}),
		pumpDone:   make(chan struct{}),
		maxQueue:   c.maxBuffered/10 + 1,
		maxQueueB:  c.maxBufferedBytes/10 + 1,
	}
	s.feed.wake = make(chan struct{}, 1)
	s.space.add(found.bytes)
	if found.records > 0 { // an earlier process's records: produced first
		s.feed.diskFrom, s.feed.diskTo = found.first, found.last+1
		s.earlierFrom, s.earlierTo = found.first, found.last+1
		s.consumerOpts = append([]kgo.Opt{kgo.SeedBrokers(c.brokers...)}, append(c.securityOpts(), c.clientOpts...)...)
		if s.logger != nil {
			s.logger.Log(selflog.Context(), slog.LevelInfo, "kafkasink: producing records left in the spool", "path", store.path, "records", found.records, "bytes", found.bytes)
		}
	}
	return s, nil
}

// start runs the writer and the pump over client.
func (s *spool) start(client *kgo.Client, mem *budget, brokers *brokerErrors) {
	s.client, s.mem, s.brokers = client, mem, brokers
	s.lastAck.Store(time.Now().UnixNano())
	s.pumpCtx, s.pumpStop = context.WithCancel(context.Background())
	go s.writeLoop()
	go s.pumpLoop()
}

// produce implements Producer.Produce with a spool.
func (s *spool) produce(ctx context.Context, m Message, o ProduceOptions, fromCtx bool, done func(error)) {
	if fromCtx {
		o = legacyOptions(ctx)
	}
	ts := time.Now()
	data := encodeSpoolRecord(m, ts)
	n := int64(len(data))
	reserved := o.Reserve
	if n > s.space.max {
		failMessage(done, fmt.Errorf("%w: a record of %d bytes cannot fit in a spool of %d (WithSpoolMaxBytes)", ErrSpoolFull, n, s.space.max))
		return
	}
	if !reserved && n > s.space.waitMax {
		failMessage(done, fmt.Errorf("%w: a record of %d bytes cannot fit in the %d bytes of a spool of %d (WithSpoolMaxBytes) left to messages without ProduceOptions.Reserve", ErrSpoolFull, n, s.space.waitMax, s.space.max))
		return
	}
	if err := s.space.acquire(ctx, n, o); err != nil {
		failMessage(done, err)
		return
	}
	if s.logger != nil && s.logger.Enabled(selflog.Context(), slog.LevelDebug) {
		logMessage(selflog.Context(), s.logger, m) // never the caller's context: see selflog
	}
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		s.space.release(n)
		failMessage(done, ErrClosed)
		return
	}
	e := newSpoolEntry(0, m, ts, n, done)
	e.s, e.data = s, data
	s.wmu.Lock()
	if o.NoWait { // will not wait for room: refused once the writer is that far behind
		// The in-memory buffer's bounds (maxQueueB is a tenth of it): a
		// burst of reserved messages fits as it would without spool.
		limit := 9 * s.maxQueueB
		if reserved {
			limit = 10 * s.maxQueueB
		}
		if pending := s.pendingB; pending > 0 && pending+n+e.size > limit {
			s.wmu.Unlock()
			s.closeMu.RUnlock()
			s.space.release(n)
			failMessage(done, fmt.Errorf("%w (%d bytes wait for the spool's next commit, the bound is WithMaxBufferedBytes)", ErrBufferFull, pending))
			return
		}
	}
	e.seq = s.nextSeq
	s.nextSeq++
	b := s.batch
	b.entries = append(b.entries, e)
	s.uncommitted++
	s.pendingB += n + e.size
	tooMuch := s.pendingB > s.maxQueueB
	// By default only a reserved message that must not wait returns
	// before its commit: any other, even one
	// whose caller will not wait for room (WithDropWhenFull), is durable
	// when Produce returns, so that an Emit that returned nil survives a
	// crash. With a commit interval nothing is durable on return: the wait
	// only bounds memory, a wait for room like any other, within ctx.
	live := !o.NoWait
	wait := s.interval == 0 && (live || !reserved) || tooMuch && live
	if wait {
		b.waiters++
	}
	s.wmu.Unlock()
	s.closeMu.RUnlock()
	wake(s.writerWake)
	if !wait {
		return // must not wait, or need not: committed with the next group
	}
	// Bounded by ctx when it is live on entry, so that a stalled disk
	// cannot hold the caller past it: done then says the message was not
	// committed yet (it may still be). A context already done on entry is
	// the Sink contract's "do not wait for room", not for the disk: the
	// commit is waited for, so that a message whose Produce returned
	// survives a crash.
	var ctxDone <-chan struct{}
	if ctx.Err() == nil {
		ctxDone = ctx.Done()
	}
	select {
	case <-b.done:
	case <-ctxDone:
		e.report(fmt.Errorf("%w: %w", ErrNotCommitted, ctx.Err()))
	}
}

func failMessage(done func(error), err error) {
	if done != nil {
		done(err)
	}
}

// wake signals ch without blocking: one pending signal is enough.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// acked settles a record the broker acknowledged, or refused for good.
func (s *spool) acked(e *spoolEntry, err error) {
	s.wmu.Lock()
	s.deletes = append(s.deletes, e.seq)
	s.wmu.Unlock()
	wake(s.ackWake)
	s.space.release(e.disk)
	s.lastAck.Store(time.Now().UnixNano())
	if !e.report(err) && err != nil {
		s.logRefused(e, err)
	}
}

// logRefused says that the broker refused, for good, a record whose done
// callback was already called (ErrSpooled: read back from disk) or nil: it
// leaves the spool, and this line is all that tells. At most one line a
// second, with the number refused since the last one.
func (s *spool) logRefused(e *spoolEntry, err error) {
	n, due := s.refused.note()
	if !due || s.logger == nil {
		return
	}
	s.logger.Log(selflog.Context(), slog.LevelError, "kafkasink: the broker refused spooled records for good; they leave the spool undelivered", "records", n, "topic", e.rec.Topic, "event_id", eventID(&e.rec), "error", err)
}
