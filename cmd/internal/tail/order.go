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

// window holds messages and releases them in the order of their Time, each
// no earlier than its arrival plus the window's length.
type window []held

func (w window) Len() int { return len(w) }
func (w window) Less(i, j int) bool {
	if !w[i].at.Equal(w[j].at) {
		return w[i].at.Before(w[j].at)
	}
	return w[i].seq < w[j].seq
}
func (w window) Swap(i, j int) { w[i], w[j] = w[j], w[i] }
func (w *window) Push(x any)   { *w = append(*w, x.(held)) }
func (w *window) Pop() any {
	old := *w
	h := old[len(old)-1]
	old[len(old)-1] = held{}
	*w = old[:len(old)-1]
	return h
}

func (w *window) add(h held) { heap.Push(w, h) }

// due returns when the earliest message may leave: its arrival plus d.
func (w window) due(d time.Duration) time.Time { return w[0].arrived.Add(d) }

func (w *window) pop() Message { return heap.Pop(w).(held).m }
