package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// Record is one stored record: its sequence number, given by the caller and
// increasing from commit to commit, and its bytes, opaque to the store.
type Record struct {
	Seq  uint64
	Data []byte
}

// Options tunes a Store; the zero value is the default.
type Options struct {
	// SegmentSize is a segment file's size (DefaultSegmentSize when 0); a
	// commit larger than that gets a segment of its own size.
	SegmentSize int64
	// Failpoint, when set, runs before each named step ("commit:write",
	// "commit:sync", "segment:zeroed", "manifest:written",
	// "dirsync:segment", "dirsync:manifest", "dirsync:remove"); an error it
	// returns is that step's failure. Tests use it to inject faults.
	Failpoint func(point string) error
}

// Contents is what Open found.
type Contents struct {
	Records     int64
	Bytes       int64  // of the records' data
	First, Last uint64 // sequence numbers: the lowest live, the highest ever put (0 when none)
	TornBytes   int64  // cut from the end of the log: the commit being written when the last process died
}

// Stats counts a store's work, for benchmarks.
type Stats struct {
	Commits         int64
	CommitSyncs     int64 // fdatasyncs made by commits (one each)
	BackgroundSyncs int64 // fsyncs of new segments, the manifest and the directory
	Segments        int   // live segment files, the prepared next one included
	DiskBytes       int64 // their size
	Records         int
}

type counters struct{ commits, commit, background atomic.Int64 }

// Store is the spool's write-ahead log. Commit is for one goroutine at a
// time (it serializes callers); Read, First, Count and Stats may run
// concurrently with it.
type Store struct {
	d        disk
	lockFile *os.File
	segSize  int64
	cnt      counters

	commitMu  sync.Mutex // one commit at a time; guards what follows
	buf       []byte
	commitSeq uint64
	dirty     bool  // a commit since Open: Close writes a close frame
	broken    error // a write failed and could not be undone
	closed    bool

	mu    sync.RWMutex // guards x and spare
	x     index
	spare *segment // the next segment, zeroed and in the manifest

	manMu sync.Mutex // guards man and manifest writes
	man   manifest

	bgWake chan struct{}
	bgStop chan struct{}
	bgDone chan struct{}
}

// Open opens the spool in dir, creating it if needed, and recovers it: a
// torn last commit is cut; any other damage makes Open fail with
// ErrDamaged. A second Open on the same directory (in any process) fails
// with ErrLocked while the first is open.
func Open(dir string, o Options) (st *Store, c Contents, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, c, fmt.Errorf("creating the spool directory: %w", err)
	}
	s := &Store{segSize: o.SegmentSize, bgWake: make(chan struct{}, 1), bgStop: make(chan struct{}), bgDone: make(chan struct{})}
	if s.segSize <= 0 {
		s.segSize = DefaultSegmentSize
	}
	s.d = disk{dir: dir, failpoint: o.Failpoint, syncs: &s.cnt}
	if s.lockFile, err = lock(s.d.path(lockName)); err != nil {
		return nil, c, err
	}
	defer func() {
		if err != nil {
			s.closeFiles()
		}
	}()
	l, err := readSpool(dir)
	if err != nil {
		return nil, c, err
	}
	cuts, err := l.verdict()
	if err != nil {
		return nil, c, err
	}
	if c.TornBytes, err = s.cutTails(l, cuts); err != nil {
		return nil, c, err
	}
	if err := s.recover(l); err != nil {
		return nil, c, err
	}
	if err := s.startActive(l); err != nil {
		return nil, c, err
	}
	if err := s.removeDead(); err != nil { // delivered before the last process ended
		return nil, c, err
	}
	c.Records, c.Bytes, c.First, c.Last = int64(s.x.live), s.x.liveBytes, s.x.first(), s.x.lastSeq
	go s.background()
	return s, c, nil
}

// cutTails zeroes each torn tail, so that the segment ends cleanly there.
func (s *Store) cutTails(l *loaded, cuts []cut) (int64, error) {
	var n int64
	for _, c := range cuts {
		seg := &l.segs[c.seg]
		end := lastNonZero(seg.bytes) + 1
		if end <= c.off {
			continue
		}
		f, err := os.OpenFile(seg.path, os.O_RDWR, 0)
		if err != nil {
			return n, err
		}
		_, err = f.WriteAt(make([]byte, end-c.off), c.off)
		if err == nil {
			err = fdatasync(f)
		}
		f.Close()
		if err != nil {
			return n, fmt.Errorf("cutting the torn end of %s: %w", seg.path, err)
		}
		clear(seg.bytes[c.off:end])
		n += end - c.off
		seg.scan.frames = slices.DeleteFunc(seg.scan.frames, func(f frame) bool { return f.off >= c.off })
	}
	return n, nil
}

// recover builds the index from the named segments' frames, removing the
// files outside the manifest's range.
func (s *Store) recover(l *loaded) error {
	s.man = l.man
	for _, ls := range l.segs {
		if !ls.named {
			if err := os.Remove(ls.path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			continue
		}
		f, err := os.OpenFile(ls.path, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		seg := &segment{num: ls.num, f: f, size: ls.scan.header.size, end: ls.scan.dataEnd, maxSeq: s.x.lastSeq}
		s.x.segs = append(s.x.segs, seg)
		for _, fr := range ls.scan.frames {
			if fr.off >= ls.scan.dataEnd {
				break
			}
			switch fr.kind {
			case kindCommit:
				s.commitSeq = max(s.commitSeq, parseCommit(fr.payload).seq)
			case kindRecord:
				seq := binary.LittleEndian.Uint64(fr.payload)
				if seq <= s.x.lastSeq {
					return damaged(l.dir, fmt.Sprintf("%s at %d: record %d after record %d", ls.path, fr.off, seq, s.x.lastSeq))
				}
				s.x.put(seg, seq, fr.off, len(fr.payload)-8)
			case kindDelete:
				seqs, err := parseDelete(fr.payload)
				if err != nil {
					return damaged(l.dir, fmt.Sprintf("%s at %d: %v", ls.path, fr.off, err))
				}
				for _, q := range seqs {
					s.x.delete(q)
				}
			}
		}
	}
	removeTemporary(l.dir)
	return nil
}

// removeTemporary removes the files a creation or a manifest write left
// behind, unnamed.
func removeTemporary(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, tmpSuffix) && IsSpoolFile(strings.TrimSuffix(name, tmpSuffix)) {
			_ = os.Remove(filepath.Join(dir, name))
		}
	}
}

// startActive makes the segment commits go to: the last one, after its
// data, when it is whole (as created; a torn tail is zeroed by now) and has
// room, else a new one. A new spool gets its first segment, then its
// manifest.
func (s *Store) startActive(l *loaded) error {
	whole := false
	if n := len(s.x.segs); n > 0 {
		last := s.x.segs[n-1]
		ls := l.segs[slices.IndexFunc(l.segs, func(ls loadedSegment) bool { return ls.num == last.num })]
		whole = int64(len(ls.bytes)) == last.size
		if whole && last.end+reserve(last.size)+minSegmentSize/4 <= last.size {
			return nil
		}
	}
	if !l.hasMan {
		// A new spool: leftovers of an interrupted creation hold only zeros.
		for _, ls := range l.segs {
			if err := os.Remove(ls.path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		s.man = manifest{first: 1, last: 0}
	}
	s.manMu.Lock()
	seg, err := s.newSegment(s.segSize, headerSize)
	s.manMu.Unlock()
	if errors.Is(err, syscall.ENOSPC) && whole {
		return nil // a full disk: acknowledgements still fit in the last one's reserve
	}
	if err != nil {
		return err
	}
	seg.maxSeq = s.x.lastSeq
	s.x.segs = append(s.x.segs, seg)
	return nil
}

// newSegment creates the segment after the manifest's last, of size or
// smaller on a full disk (never smaller than need), and names it in the
// manifest. The caller holds manMu: segments are made in number order.
func (s *Store) newSegment(size, need int64) (*segment, error) {
	n := s.man.last + 1
	for {
		f, got, err := s.d.createSegment(n, size, need)
		if err != nil {
			return nil, err
		}
		m := s.man
		m.last = n
		err = s.d.writeManifest(m)
		if err == nil {
			s.man = m
			return &segment{num: n, f: f, size: got, end: headerSize}, nil
		}
		f.Close()
		_ = os.Remove(s.d.path(segmentName(n)))
		// The segment took the room the manifest needed: a smaller one.
		if !errors.Is(err, syscall.ENOSPC) || got/2 < max(minSegmentSize, need) {
			return nil, err
		}
		size = got / 2
	}
}

func (s *Store) closeFiles() {
	for _, seg := range s.x.segs {
		seg.f.Close()
	}
	if s.spare != nil {
		s.spare.f.Close()
	}
	if s.lockFile != nil {
		s.lockFile.Close()
	}
}

// wake signals ch without blocking.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
