package spool

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// Read returns the live records with sequences in [from, to), in order, at
// most max of them and about maxBytes, and the sequence to read from next.
// A record whose frame no longer checks is returned as an error naming it,
// with next past it.
func (s *Store) Read(from, to uint64, max int, maxBytes int64) (rs []Record, next uint64, err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	next = to
	i := sort.Search(len(s.x.segs), func(i int) bool { return s.x.segs[i].maxSeq >= from })
	var n int64
	for ; i < len(s.x.segs); i++ {
		seg := s.x.segs[i]
		j := sort.Search(len(seg.recs), func(j int) bool { return seg.recs[j].seq >= from })
		for ; j < len(seg.recs); j++ {
			l := seg.recs[j]
			if l.seq >= to {
				return rs, next, nil
			}
			if l.off == 0 {
				continue
			}
			if len(rs) == max || n >= maxBytes {
				return rs, l.seq, nil
			}
			data, err := readRecord(seg, l)
			if err != nil {
				return rs, l.seq + 1, err
			}
			rs = append(rs, Record{Seq: l.seq, Data: data})
			n += int64(len(data))
		}
	}
	return rs, next, nil
}

// readRecord reads a record's frame back and checks it again: the file
// may have changed since Open.
func readRecord(seg *segment, l loc) ([]byte, error) {
	b := make([]byte, dataOffset+int(l.n))
	if _, err := seg.f.ReadAt(b, int64(l.off)); err != nil {
		return nil, fmt.Errorf("reading record %d in %s: %w", l.seq, segmentName(seg.num), err)
	}
	f, _, why := parseFrame(b)
	if why != "" || f.kind != kindRecord || binary.LittleEndian.Uint64(f.payload) != l.seq {
		if why == "" {
			why = "another frame where it was"
		}
		return nil, fmt.Errorf("%w: record %d in %s at %d: %s", ErrDamaged, l.seq, segmentName(seg.num), l.off, why)
	}
	return b[dataOffset:], nil
}

// First returns the lowest live sequence, 0 when the store holds none.
func (s *Store) First() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.x.first()
}

// Count returns the number of live records.
func (s *Store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.x.live
}

// Dir returns the spool's directory.
func (s *Store) Dir() string { return s.d.dir }

// Stats returns the store's counters and size.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Stats{
		Commits:         s.cnt.commits.Load(),
		CommitSyncs:     s.cnt.commit.Load(),
		BackgroundSyncs: s.cnt.background.Load(),
		Segments:        len(s.x.segs),
		Records:         s.x.live,
	}
	for _, seg := range s.x.segs {
		st.DiskBytes += seg.size
	}
	if s.spare != nil {
		st.Segments++
		st.DiskBytes += s.spare.size
	}
	return st
}
