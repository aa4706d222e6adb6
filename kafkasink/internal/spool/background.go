package spool

import (
	"errors"
	"fmt"
	"os"
	"slices"
)

// background removes the segments whose records are all deleted, oldest
// first, and prepares the next segment before a commit needs it, so that
// neither costs a commit anything.
func (s *Store) background() {
	defer close(s.bgDone)
	for {
		select {
		case <-s.bgWake:
		case <-s.bgStop:
			return
		}
		_ = s.removeDead()
		_ = s.removeEmptied()
		s.prepare()
	}
}

// removeDead removes the dead segments at the front.
func (s *Store) removeDead() error {
	s.mu.Lock()
	n := s.x.deadFront()
	dead := s.x.segs[:n:n]
	s.x.segs = s.x.segs[n:]
	first := s.x.segs[0].num
	s.mu.Unlock()
	if n == 0 {
		return nil
	}
	return s.removeSegments(dead, "delivered", func(m manifest) manifest { return m.withFirst(first) })
}

// removeEmptied removes the segments whose records are all deleted but
// that an older segment, still holding a record (its topic refused for
// hours), keeps from removeDead: the spool shrinks around it. The
// deletions of the older segments' records may be written in the segments
// removed, so they are written again first, in one commit.
func (s *Store) removeEmptied() error {
	s.mu.RLock()
	var gone []*segment
	var tombs []uint64
	last := len(s.x.segs) - 1
	for i, seg := range s.x.segs[:max(last, 0)] {
		if seg.live == 0 && i > 0 {
			gone = append(gone, seg)
		}
	}
	if len(gone) > 0 {
		for _, seg := range s.x.segs[:last] {
			for _, l := range seg.recs {
				if l.off == 0 {
					tombs = append(tombs, l.seq)
				}
			}
		}
	}
	s.mu.RUnlock()
	if len(gone) == 0 {
		return nil
	}
	if err := s.Commit(nil, tombs); err != nil { // tombs may be empty: a commit frame only
		return err
	}
	s.mu.Lock()
	s.x.segs = slices.DeleteFunc(s.x.segs, func(seg *segment) bool { return slices.Contains(gone, seg) })
	s.mu.Unlock()
	return s.removeSegments(gone, "emptied", func(m manifest) manifest {
		m.removed = slices.Clone(m.removed)
		for _, seg := range gone {
			m.removed = append(m.removed, seg.num)
		}
		slices.Sort(m.removed)
		return m
	})
}

// removeSegments writes the manifest that edit makes of the current one,
// then closes segs and removes their files: the manifest first, so that a
// crash leaves only files Open removes. segs must already be out of the
// index; kind names them in the error.
func (s *Store) removeSegments(segs []*segment, kind string, edit func(manifest) manifest) error {
	s.manMu.Lock()
	m := edit(s.man)
	err := s.d.writeManifest(m)
	if err == nil {
		s.man = m
	}
	s.manMu.Unlock()
	for _, seg := range segs {
		seg.f.Close()
		if err == nil {
			if rerr := os.Remove(s.d.path(segmentName(seg.num))); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
				err = rerr
			}
		}
	}
	if err == nil {
		err = s.d.syncDir("remove")
	}
	if err != nil {
		return fmt.Errorf("removing %s segments: %w", kind, err)
	}
	return nil
}

// prepare creates the next segment if none waits and the active one is
// half full. On failure (a full
// disk) the commit that needs it tries again and reports the error.
func (s *Store) prepare() {
	s.manMu.Lock()
	defer s.manMu.Unlock()
	s.mu.RLock()
	active := s.x.segs[len(s.x.segs)-1]
	ready := s.spare != nil || active.end <= active.size/2
	s.mu.RUnlock()
	if ready {
		return
	}
	seg, err := s.newSegment(s.segSize, headerSize)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.spare = seg
	s.mu.Unlock()
}

// Close writes a close frame (so that damage at the end of the log is not
// taken for a torn write at the next Open), stops the background work and
// releases the directory.
func (s *Store) Close() error {
	s.commitMu.Lock()
	if s.closed {
		s.commitMu.Unlock()
		return nil
	}
	var err error
	if s.dirty && s.broken == nil {
		err = s.write(s.encode(nil, nil, flagClosed), nil, nil)
	}
	s.closed = true
	s.commitMu.Unlock() // the background may wait for it: its commits now fail
	close(s.bgStop)
	<-s.bgDone
	s.mu.Lock()
	s.closeFiles()
	s.mu.Unlock()
	return err
}
