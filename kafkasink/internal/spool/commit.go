package spool

import (
	"fmt"
	"slices"
)

// Commit writes puts and deletes dels in one group commit: one write and
// one fdatasync. puts' sequences must increase, beyond every record put
// before; dels may name records unknown or already deleted. When Commit
// fails nothing of it is applied; a write the store could not undo makes
// every later Commit fail with ErrBroken.
func (s *Store) Commit(puts []Record, dels []uint64) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.broken != nil:
		return s.broken
	}
	s.mu.RLock()
	last := s.x.lastSeq
	s.mu.RUnlock()
	for _, r := range puts {
		if r.Seq <= last {
			return fmt.Errorf("record %d put after record %d: sequences must increase", r.Seq, last)
		}
		last = r.Seq
	}
	if len(dels) > 0 && !slices.IsSorted(dels) {
		dels = slices.Sorted(slices.Values(dels))
	}
	dels = slices.Compact(dels)
	b := s.encode(puts, dels, 0)
	return s.write(b, puts, dels)
}

// encode builds a commit: its frame, then the records and the deletions.
func (s *Store) encode(puts []Record, dels []uint64, flags byte) []byte {
	b := appendCommit(s.buf[:0], commitFrame{seq: s.commitSeq + 1, flags: flags})
	head := len(b)
	for _, r := range puts {
		b = appendRecord(b, r)
	}
	if len(dels) > 0 {
		b = appendDelete(b, dels)
	}
	copy(b, appendCommit(make([]byte, 0, head), commitFrame{seq: s.commitSeq + 1, bodyLen: int64(len(b) - head), flags: flags}))
	s.buf = b[:0]
	if cap(s.buf) > 4<<20 {
		s.buf = nil // one large commit does not keep its buffer
	}
	return b
}

// write makes b durable at the end of the active segment, rolling to the
// next one first if it does not fit, then applies puts and dels.
func (s *Store) write(b []byte, puts []Record, dels []uint64) error {
	s.mu.RLock()
	seg := s.x.segs[len(s.x.segs)-1]
	s.mu.RUnlock()
	limit := seg.size
	if len(puts) > 0 {
		limit -= reserve(seg.size)
	}
	if seg.end+int64(len(b)) > limit {
		var err error
		if seg, err = s.roll(int64(len(b))); err != nil {
			return err
		}
	}
	at := seg.end
	err := s.d.fail("commit:write")
	if err == nil {
		_, err = seg.f.WriteAt(b, at)
	}
	if err == nil {
		err = s.d.fail("commit:sync")
	}
	if err == nil {
		s.cnt.commit.Add(1)
		err = fdatasync(seg.f)
	}
	if err != nil {
		s.undo(seg, at, len(b), err)
		return err
	}
	s.cnt.commits.Add(1)
	s.commitSeq++
	s.dirty = true
	s.mu.Lock()
	off := at + int64(len(appendCommit(nil, commitFrame{})))
	for _, r := range puts {
		s.x.put(seg, r.Seq, off, len(r.Data))
		off += int64(frameHeaderSize + 8 + len(r.Data))
	}
	for _, q := range dels {
		s.x.delete(q)
	}
	seg.end = at + int64(len(b))
	// Half full: time to prepare the next segment.
	work := s.x.emptied || s.spare == nil && seg.end > seg.size/2
	s.x.emptied = false
	s.mu.Unlock()
	if work {
		wake(s.bgWake)
	}
	return nil
}

// reserve is the end of a segment only commits without records may use:
// on a full disk, acknowledgements can still be written, and the segments
// they empty removed.
func reserve(size int64) int64 { return size / 16 }

// undo zeroes what a failed commit may have written: the next commit goes
// to the same place. If that fails too, the store is broken: what the disk
// holds there is unknown, and only a torn tail (nothing committed after it)
// is recovered from safely.
func (s *Store) undo(seg *segment, at int64, n int, cause error) {
	_, err := seg.f.WriteAt(make([]byte, n), at)
	if err == nil {
		err = fdatasync(seg.f)
	}
	if err != nil {
		s.broken = fmt.Errorf("%w: %w (undoing it: %w)", ErrBroken, cause, err)
	}
}

// roll makes the next segment the active one: the prepared one when it is
// large enough, else a new one of the size the commit needs. manMu orders
// it with prepare, so that segments join in number order.
func (s *Store) roll(need int64) (*segment, error) {
	need += headerSize
	s.manMu.Lock()
	defer s.manMu.Unlock()
	s.mu.Lock()
	next := s.spare
	s.spare = nil
	if next != nil {
		next.maxSeq = s.x.lastSeq
		s.x.segs = append(s.x.segs, next)
	}
	s.mu.Unlock()
	if next == nil || next.size < need {
		seg, err := s.newSegment(max(s.segSize, need), need)
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		seg.maxSeq = s.x.lastSeq
		s.x.segs = append(s.x.segs, seg)
		next = seg
		s.mu.Unlock()
	}
	wake(s.bgWake) // prepare the next one
	return next, nil
}
