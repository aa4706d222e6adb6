package tail

import (
	"container/heap"
	"time"
)

// MaxHeld and MaxHeldBytes bound what the ordering window holds: while
// more than MaxHeld messages, or values of more than MaxHeldBytes in all,
// are held, the earliest ones go out at once, before their window passed.
const (
	MaxHeld      = 10000
	MaxHeldBytes = 64 << 20
)

// held is a message waiting in the ordering window.
type held struct {
	m       Message
	at      time.Time // the message's Time
	arrived time.Time
	seq     uint64 // arrival order, to keep equal times stable
}

// window holds messages and releases them in the order of their Time,
// the earliest as soon as the message that arrived first has waited the
// window's length. Waiting on the earliest message's own arrival instead
// would let a producer hold everything back: each record dated earlier
// than the one before becomes the earliest on arrival, and restarts the
// wait.
type window struct {
	byTime   heldHeap
	arrivals []arrival       // arrival order, oldest first; released ones trimmed from the front
	released map[uint64]bool // seq of released messages still in arrivals
}

type arrival struct {
	seq uint64
	at  time.Time
}

func (w *window) len() int { return len(w.byTime) }

func (w *window) add(h held) {
	heap.Push(&w.byTime, h)
	w.arrivals = append(w.arrivals, arrival{h.seq, h.arrived})
}

// due returns when the earliest message may leave: the first arrival
// among those held plus d. The window must not be empty.
func (w *window) due(d time.Duration) time.Time { return w.arrivals[0].at.Add(d) }

// pop releases the earliest message.
func (w *window) pop() Message {
	h := heap.Pop(&w.byTime).(held)
	if w.released == nil {
		w.released = make(map[uint64]bool)
	}
	w.released[h.seq] = true
	for len(w.arrivals) > 0 && w.released[w.arrivals[0].seq] {
		delete(w.released, w.arrivals[0].seq)
		w.arrivals[0] = arrival{}
		w.arrivals = w.arrivals[1:]
	}
	return h.m
}

// heldHeap orders held messages by their Time, then by arrival.
type heldHeap []held

func (w heldHeap) Len() int { return len(w) }
func (w heldHeap) Less(i, j int) bool {
	if !w[i].at.Equal(w[j].at) {
		return w[i].at.Before(w[j].at)
	}
	return w[i].seq < w[j].seq
}
func (w heldHeap) Swap(i, j int) { w[i], w[j] = w[j], w[i] }
func (w *heldHeap) Push(x any)   { *w = append(*w, x.(held)) }
func (w *heldHeap) Pop() any {
	old := *w
	h := old[len(old)-1]
	old[len(old)-1] = held{}
	*w = old[:len(old)-1]
	return h
}
