package kafkasink

import (
	"sync/atomic"
	"time"
)

// everySecond limits a repeated log line to one a second, carrying the
// number of occurrences since the last line.
type everySecond struct {
	count atomic.Int64
	last  atomic.Int64 // unix nanoseconds of the last line
}

// note counts one occurrence and reports, when a line is due, how many
// occurred since the last one.
func (l *everySecond) note() (n int64, due bool) {
	n = l.count.Add(1)
	now := time.Now().UnixNano()
	last := l.last.Load()
	if now-last < int64(time.Second) || !l.last.CompareAndSwap(last, now) {
		return 0, false
	}
	l.count.Add(-n)
	return n, true
}

// take returns the occurrences not said yet, and forgets them.
func (l *everySecond) take() int64 { return l.count.Swap(0) }
