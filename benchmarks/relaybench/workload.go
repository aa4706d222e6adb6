package main

import (
	"sync"
	"sync/atomic"
)

// workload is one measurement: requests spread over concurrency goroutines,
// each request one event and lines log lines.
type workload struct {
	requests, concurrency, lines int
}

// each runs fn once per request, on w.concurrency goroutines.
func (w workload) each(fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w.concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= w.requests {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}

// payload is the event payload of every request.
var payload = map[string]any{"id": 10, "name": "entity", "tags": []any{"a", "b"}}
