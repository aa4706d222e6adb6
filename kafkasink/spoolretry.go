package kafkasink

import (
	"container/heap"
	"slices"
	"time"
)

// retryQueue holds the records of the topics in backoff after a failure,
// each topic on its own timer: a timer heap, so that one topic's backoff
// never holds another topic's records. A topic's records, those that failed
// and those the pump takes meanwhile, wait together in sequence order and
// are produced again together, so that the order within a partition holds.
// It is guarded by the feeder's lock.
type retryQueue struct {
	byTopic map[string]*topicBackoff
	timers  topicTimers
}

// topicBackoff is one topic waiting for its retry.
type topicBackoff struct {
	topic string
	at    time.Time
	items []retryItem // in sequence order
	index int         // in the heap
}

// retryItem is a record waiting for a retry: in memory (e), or, past the
// feeder's memory bound, on disk only (e nil), kept as its sequence number,
// its topic (the topicBackoff's string, shared) and its failures, so that a
// backlog of a refused topic costs memory per record no more than this.
type retryItem struct {
	e     *spoolEntry
	seq   uint64
	topic string
	fails int
}

type topicTimers []*topicBackoff

func (h topicTimers) Len() int           { return len(h) }
func (h topicTimers) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h topicTimers) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *topicTimers) Push(x any) {
	b := x.(*topicBackoff)
	b.index = len(*h)
	*h = append(*h, b)
}
func (h *topicTimers) Pop() any {
	old := *h
	b := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return b
}

// backingOff reports whether topic waits for a retry.
func (q *retryQueue) backingOff(topic string) bool { return q.byTopic[topic] != nil }

// hold adds it to its topic's records in backoff, starting the topic's
// timer at after (from now) when it is not backing off yet.
func (q *retryQueue) hold(it retryItem, after time.Duration) {
	topic := it.topic
	b := q.byTopic[topic]
	if b == nil {
		if q.byTopic == nil {
			q.byTopic = map[string]*topicBackoff{}
		}
		b = &topicBackoff{topic: topic, at: time.Now().Add(after)}
		q.byTopic[topic] = b
		heap.Push(&q.timers, b)
	}
	it.topic = b.topic
	i, _ := slices.BinarySearchFunc(b.items, it.seq, func(x retryItem, seq uint64) int {
		switch {
		case x.seq < seq:
			return -1
		case x.seq > seq:
			return 1
		}
		return 0
	})
	b.items = slices.Insert(b.items, i, it)
}

// due removes and returns the records of the earliest topic whose time has
// come, in sequence order, or returns nil and how long until the earliest
// one (0 when none waits).
func (q *retryQueue) due(now time.Time) ([]retryItem, time.Duration) {
	if len(q.timers) == 0 {
		return nil, 0
	}
	if wait := q.timers[0].at.Sub(now); wait > 0 {
		return nil, wait
	}
	b := heap.Pop(&q.timers).(*topicBackoff)
	delete(q.byTopic, b.topic)
	return b.items, 0
}

// hurry makes every topic due now: at Close, records do not sit out their
// backoff while the broker answers.
func (q *retryQueue) hurry(now time.Time) {
	for _, b := range q.timers {
		b.at = now
	}
}

// takeAll removes and returns every record waiting in memory.
func (q *retryQueue) takeAll() []*spoolEntry {
	var es []*spoolEntry
	for _, b := range q.timers {
		es = appendEntries(es, b.items)
	}
	q.byTopic, q.timers = nil, nil
	return es
}

// spoolBackoff is how long a topic waits after a record's n-th failure:
// 100ms, doubling, at most 10s.
func spoolBackoff(n int) time.Duration {
	return min(100*time.Millisecond<<min(n, 7), 10*time.Second)
}

// appendEntries appends the records of items kept in memory to es.
func appendEntries(es []*spoolEntry, items []retryItem) []*spoolEntry {
	for _, it := range items {
		if it.e != nil {
			es = append(es, it.e)
		}
	}
	return es
}
