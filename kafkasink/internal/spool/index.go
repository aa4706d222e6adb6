package spool

import (
	"os"
	"sort"
)

// segment is one live segment file and the records in it, in sequence
// order (commits write them in order).
type segment struct {
	num    uint64
	f      *os.File
	size   int64 // as created
	end    int64 // where the data ends: the active segment's next write
	recs   []loc
	first  int // recs before it are all deleted
	live   int
	maxSeq uint64 // the highest sequence in this or an earlier segment
}

// loc is where a record is: its frame at off, its data n bytes. off 0 (the
// header) marks a deleted record.
type loc struct {
	seq uint64
	off uint32
	n   uint32
}

// dataOffset is where a record frame's data starts.
const dataOffset = frameHeaderSize + 8

// index holds the live segments; the caller locks.
type index struct {
	segs      []*segment
	live      int
	liveBytes int64
	lastSeq   uint64 // the highest sequence put, deleted or not
	emptied   bool   // a segment lost its last live record: work for the background
}

func (x *index) put(s *segment, seq uint64, off int64, n int) {
	s.recs = append(s.recs, loc{seq: seq, off: uint32(off), n: uint32(n)})
	s.live++
	s.maxSeq = seq
	x.live++
	x.liveBytes += int64(n)
	x.lastSeq = max(x.lastSeq, seq)
}

// find returns the segment and position of seq, or nil.
func (x *index) find(seq uint64) (*segment, int) {
	i := sort.Search(len(x.segs), func(i int) bool { return x.segs[i].maxSeq >= seq })
	if i == len(x.segs) {
		return nil, 0
	}
	s := x.segs[i]
	j := sort.Search(len(s.recs), func(j int) bool { return s.recs[j].seq >= seq })
	if j == len(s.recs) || s.recs[j].seq != seq || s.recs[j].off == 0 {
		return nil, 0
	}
	return s, j
}

// delete forgets seq; an unknown or deleted one is ignored.
func (x *index) delete(seq uint64) {
	s, j := x.find(seq)
	if s == nil {
		return
	}
	x.liveBytes -= int64(s.recs[j].n)
	s.recs[j].off = 0
	s.live--
	x.live--
	for s.first < len(s.recs) && s.recs[s.first].off == 0 {
		s.first++
	}
	if s.live == 0 {
		s.recs, s.first = nil, 0
		x.emptied = true
	}
}

// first returns the lowest live sequence, 0 when none.
func (x *index) first() uint64 {
	for _, s := range x.segs {
		if s.live > 0 {
			return s.recs[s.first].seq
		}
	}
	return 0
}

// deadFront returns how many segments at the front hold no live record,
// the active (last) one excepted: they can be removed.
func (x *index) deadFront() int {
	n := 0
	for n < len(x.segs)-1 && x.segs[n].live == 0 {
		n++
	}
	return n
}
