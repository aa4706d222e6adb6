package exporter

import (
	"fmt"
	"time"
)

// DefaultMaxRequestAge is how long a request may stay open before it is
// evicted.
const DefaultMaxRequestAge = 10 * time.Minute

// janitor evicts requests whose root span has been open longer than
// maxRequestAge, so that root spans that never end (a leak in the caller)
// cannot grow memory without bound. It stops when stop is closed.
func (p *Processor) janitor(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	every := min(max(p.cfg.maxRequestAge/4, 10*time.Millisecond), time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			if n := p.evictOlderThan(now.Add(-p.cfg.maxRequestAge), now); n > 0 {
				p.cfg.errorHandler(fmt.Errorf("otelrelayer: evicted %d requests open longer than %v: their root spans never ended; their request logs are written with \"evicted\":true", n, p.cfg.maxRequestAge))
			}
		}
	}
}

// evictOlderThan writes and forgets the requests started before cutoff, and
// returns how many there were.
func (p *Processor) evictOlderThan(cutoff, now time.Time) int {
	n := 0
	for _, req := range p.requests.openRoots() {
		if req.span.StartTime().Before(cutoff) {
			p.finish(doneContext, req, req.span, now, true)
			n++
		}
	}
	if n > 0 {
		add(p.metrics.evicted, int64(n))
	}
	return n
}
