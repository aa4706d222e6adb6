package exporter

import (
	"fmt"
	"time"
)

// DefaultMaxRequestAge is how long a request may stay open before it is
// evicted.
const DefaultMaxRequestAge = 10 * time.Minute

// evictionPeriod is how often the janitor looks for requests to evict.
func evictionPeriod(maxAge time.Duration) time.Duration {
	return min(max(maxAge/4, 10*time.Millisecond), time.Minute)
}

// janitor evicts requests open longer than maxRequestAge, so that root spans
// that never end (a leak in the caller) cannot grow memory without bound. It
// stops when stop is closed.
//
// Age counts janitor ticks from when the processor saw the root start, not
// from the span's start time: a root backdated with trace.WithTimestamp (a
// consumer catching up on old messages) is as young as any other. A tick
// counter costs OnStart one atomic load, where a clock read would cost more.
func (p *Processor) janitor(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	every := evictionPeriod(p.cfg.maxRequestAge)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			if n := p.evictTick(now); n > 0 {
				p.reports.report(fmt.Errorf("exporter: evicted %d requests open longer than %v: their root spans never ended; their request logs are written with \"evicted\":true", n, p.cfg.maxRequestAge))
			}
		}
	}
}

// evictTick advances the eviction clock by one tick, writes and forgets the
// requests seen more than maxRequestAge ago, and returns how many there were.
// A request seen during tick k is evicted at tick k + ticks + 1, where ticks
// periods make maxRequestAge: never before it is maxRequestAge old.
func (p *Processor) evictTick(now time.Time) int {
	every := evictionPeriod(p.cfg.maxRequestAge)
	ticks := uint64((p.cfg.maxRequestAge + every - 1) / every)
	tick := p.ticks.Add(1)
	return p.evictWhere(now, func(r *request) bool { return tick-r.seenTick > ticks })
}

// evictWhere writes and forgets the open requests old says are too old, and
// returns how many there were.
func (p *Processor) evictWhere(now time.Time, old func(*request) bool) int {
	n := 0
	for _, req := range p.requests.openRoots() {
		if old(req) {
			p.finish(req, nil, now, true)
			n++
		}
	}
	if n > 0 {
		add(p.metrics.evicted, int64(n))
	}
	return n
}
