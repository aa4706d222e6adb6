package main

import (
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// workload is one measurement: concurrency goroutines issuing requests for
// duration, each request one event and lines log lines.
type workload struct {
	shape
	concurrency int
	duration    time.Duration
	brokers     []string
	codec       string        // "" for the defaults, else a franz-go codec name
	linger      time.Duration // 0 for the defaults, else franz-go's ProducerLinger
	sampleRate  float64       // the relayer's WithRequestLogSampling rate; < 0: off
}

// each runs fn on w.concurrency goroutines, over and over, until
// w.duration has passed, and returns how many times it ran.
func (w workload) each(fn func()) int64 {
	var stop atomic.Bool
	t := time.AfterFunc(w.duration, func() { stop.Store(true) })
	defer t.Stop()
	var total atomic.Int64
	var wg sync.WaitGroup
	for range w.concurrency {
		wg.Go(func() {
			var n int64
			for !stop.Load() {
				fn()
				n++
			}
			total.Add(n)
		})
	}
	wg.Wait()
	return total.Load()
}

// cpuTime is the user and system CPU time this process has used so far, its
// runtime's background work (garbage collection, franz-go's goroutines)
// included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// payload is the event payload of every request.
var payload = map[string]any{"id": 10, "name": "entity", "tags": []any{"a", "b"}}
