package exporter

import (
	"encoding/binary"
	"sync"

	"go.opentelemetry.io/otel/trace"
)

// recentTable remembers the spans of recently ended requests (roots and
// children), by span ID. Each shard keeps two generations of at most
// recentPerShard entries: memory stays bounded, and a request is
// remembered until some 16,000 to 32,000 spans of later requests have ended.
//
// A generation is a fixed array with an open-addressing index, not a Go
// map: every request writes one entry, and a map replaced every 256 entries
// cost about 90 ns and 190 bytes a request (7% of the relayer's CPU).
type recentTable struct {
	shards [tableShards]recentShard
}

const (
	recentSlotBits = 9
	recentSlots    = 1 << recentSlotBits // the index, at most half full
	recentPerShard = recentSlots / 2
)

type recentShard struct {
	mu   sync.Mutex
	gens *[2]recentGen // allocated on the first put
	cur  int           // the generation being filled
	_    [32]byte      // keep shards on separate cache lines
}

// recentGen is one generation: up to recentPerShard span IDs and their
// requests, in the order they came, found through slots, whose non-zero
// values are an entry's position plus one (linear probing).
type recentGen struct {
	n     int
	slots [recentSlots]uint16
	ids   [recentPerShard]trace.SpanID
	refs  [recentPerShard]endedRef
}

// home is the first slot probed for id (Fibonacci hashing: span IDs are
// random, but a caller's need not be).
func home(id trace.SpanID) uint64 {
	return binary.LittleEndian.Uint64(id[:]) * 0x9E3779B97F4A7C15 >> (64 - recentSlotBits)
}

// find returns the position of id, or -1 and the empty slot where it goes.
func (g *recentGen) find(id trace.SpanID) (int, uint64) {
	h := home(id)
	for {
		i := g.slots[h]
		if i == 0 {
			return -1, h
		}
		if g.ids[i-1] == id {
			return int(i - 1), h
		}
		h = (h + 1) & (recentSlots - 1)
	}
}

// reset empties g, letting go of what its entries referenced.
func (g *recentGen) reset() {
	g.n = 0
	g.slots = [recentSlots]uint16{}
	clear(g.refs[:])
}

func (t *recentTable) shard(id trace.SpanID) *recentShard {
	return &t.shards[(id[7]^id[3])%tableShards]
}

func (t *recentTable) put(id trace.SpanID, ref endedRef) {
	s := t.shard(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gens == nil {
		s.gens = new([2]recentGen)
	}
	g := &s.gens[s.cur]
	i, h := g.find(id)
	if i >= 0 {
		g.refs[i] = ref
		return
	}
	if g.n == recentPerShard { // full: the older generation is forgotten
		s.cur ^= 1
		g = &s.gens[s.cur]
		g.reset()
		_, h = g.find(id)
	}
	g.ids[g.n], g.refs[g.n] = id, ref
	g.n++
	g.slots[h] = uint16(g.n)
}

// get returns the ended request of the span id, and whether it is known.
func (t *recentTable) get(id trace.SpanID) (endedRef, bool) {
	s := t.shard(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gens == nil {
		return endedRef{}, false
	}
	for _, k := range [2]int{s.cur, s.cur ^ 1} {
		g := &s.gens[k]
		if i, _ := g.find(id); i >= 0 {
			return g.refs[i], true
		}
	}
	return endedRef{}, false
}
