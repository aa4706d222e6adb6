package spool

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// loaded is a spool directory as read from disk, before any decision.
type loaded struct {
	dir    string
	man    manifest
	hasMan bool
	segs   []loadedSegment // every segment file present or named, by number
	legacy error           // a legacy or foreign file where the old spool file was
	manErr error           // the manifest is damaged
}

type loadedSegment struct {
	num      uint64
	path     string
	named    bool // in the manifest's range
	missing  bool
	bytes    []byte
	scan     segmentScan
	notSpool error // the header does not parse
}

// readSpool reads the manifest and every segment file in dir.
func readSpool(dir string) (*loaded, error) {
	l := &loaded{dir: dir}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(l.path(manifestName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if l.man, err = parseManifest(b); err != nil {
			// Every segment file is read all the same: Salvage needs them.
			l.manErr = damaged(dir, fmt.Sprintf("%s holds %v", l.path(manifestName), err))
			break
		}
		l.hasMan = true
	}
	present := map[uint64]string{}
	for _, e := range entries {
		if n, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			present[n] = e.Name()
		}
		if e.Name() == legacyName {
			l.legacy = checkLegacy(l.path(legacyName))
		}
	}
	nums := make([]uint64, 0, len(present))
	for n := range present {
		nums = append(nums, n)
	}
	if l.hasMan {
		for n := l.man.first; n <= l.man.last; n++ {
			if _, ok := present[n]; !ok && l.man.names(n) {
				nums = append(nums, n)
			}
		}
	}
	slices.Sort(nums)
	for _, n := range nums {
		s := loadedSegment{num: n, path: l.path(segmentName(n)), named: l.hasMan && l.man.names(n)}
		s.bytes, err = os.ReadFile(s.path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			s.missing = true
		case err != nil:
			return nil, err
		default:
			s.scan, s.notSpool = scanSegment(s.path, s.bytes)
			if s.notSpool == nil && s.scan.header.number != n {
				s.notSpool = fmt.Errorf("its header names segment %d", s.scan.header.number)
			}
		}
		l.segs = append(l.segs, s)
	}
	return l, nil
}

func (l *loaded) path(name string) string { return l.dir + string(os.PathSeparator) + name }

// checkLegacy describes a non-empty file at the legacy bbolt name.
func checkLegacy(path string) error {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return err
	}
	// bbolt's meta page: a 16-byte page header, then its magic.
	if len(b) >= 20 && (string(b[16:20]) == "\xed\xda\x0c\xed" || string(b[16:20]) == "\xed\x0c\xda\xed") {
		return fmt.Errorf("%w: %s is a bbolt file but not a spool of this version (the spool of an earlier otelrelayer, or another program's file): deliver its records with the version that wrote it, or move it away", ErrNotSpool, path)
	}
	return fmt.Errorf("%w: %s is not a spool file; move it away", ErrNotSpool, path)
}

// cut is a torn tail Open removes: the bytes from off on in a segment.
type cut struct {
	seg int // index in l.segs
	off int64
}

// verdict is Open's decision: the torn tails to cut, or the damage that
// makes it fail. It changes nothing on disk.
func (l *loaded) verdict() ([]cut, error) {
	if l.legacy != nil {
		return nil, l.legacy
	}
	if l.manErr != nil {
		return nil, l.manErr
	}
	if !l.hasMan {
		// No manifest: a spool never used, or one whose creation was
		// interrupted. Its segments may hold nothing but zeros.
		for _, s := range l.segs {
			switch {
			case len(s.bytes) == 0:
			case s.notSpool != nil:
				return nil, fmt.Errorf("%w: %s is not a spool file (%v); move it away", ErrNotSpool, s.path, s.notSpool)
			case len(s.scan.frames) > 0 || len(s.scan.bad) > 0:
				return nil, damaged(l.dir, fmt.Sprintf("%s holds records but %s is missing", s.path, manifestName))
			}
		}
		return nil, nil
	}
	var cuts []cut
	for i, s := range l.segs {
		if !s.named {
			continue // left over from a removal or a creation: removed at Open
		}
		switch {
		case s.missing:
			return nil, damaged(l.dir, fmt.Sprintf("%s, named in %s, is missing", s.path, manifestName))
		case len(s.bytes) == 0:
			return nil, damaged(l.dir, fmt.Sprintf("%s was truncated to 0 bytes", s.path))
		case s.notSpool != nil:
			return nil, damaged(l.dir, fmt.Sprintf("%s is not a spool file (%v)", s.path, s.notSpool))
		case s.scan.cut:
			return nil, damaged(l.dir, fmt.Sprintf("%s was truncated to %d of its %d bytes", s.path, len(s.bytes), s.scan.header.size))
		case s.scan.problem < 0:
			continue
		}
		if later := l.commitAfter(i, s.scan.dataEnd); later != "" {
			return nil, damaged(l.dir, fmt.Sprintf("%s is damaged at byte %d (%s) before %s, so not by a torn last write", s.path, s.scan.problem, s.scan.why, later))
		}
		cuts = append(cuts, cut{seg: i, off: s.scan.dataEnd})
	}
	return cuts, nil
}

// commitAfter describes a valid commit after offset off of segment i, in
// it or in a later segment, or returns "": the proof that the damage at
// off was synced, not a torn last write.
func (l *loaded) commitAfter(i int, off int64) string {
	if cs := l.segs[i].scan.commitsAfter(off); len(cs) > 0 {
		return fmt.Sprintf("commit %d", cs[0].seq)
	}
	for _, s := range l.segs[i+1:] {
		if s.named && !s.missing && s.notSpool == nil {
			if cs := s.scan.commitsAfter(0); len(cs) > 0 {
				return fmt.Sprintf("commit %d in %s", cs[0].seq, s.path)
			}
		}
	}
	return ""
}

// damage lists every damaged range and file, for Inspect and Salvage.
func (l *loaded) damage() []Damage {
	var ds []Damage
	if l.manErr != nil {
		ds = append(ds, Damage{File: l.path(manifestName), Offset: -1, Reason: "not a spool manifest"})
	}
	if l.legacy != nil {
		ds = append(ds, Damage{File: l.path(legacyName), Offset: -1, Reason: strings.TrimPrefix(l.legacy.Error(), ErrNotSpool.Error()+": ")})
	}
	for _, s := range l.segs {
		switch {
		case s.missing && s.named:
			ds = append(ds, Damage{File: s.path, Offset: -1, Reason: "named in the manifest, missing"})
		case s.missing:
		case len(s.bytes) == 0 && s.named:
			ds = append(ds, Damage{File: s.path, Offset: -1, Reason: "truncated to 0 bytes"})
		case len(s.bytes) == 0:
		case s.notSpool != nil:
			ds = append(ds, Damage{File: s.path, Offset: -1, Reason: "not a spool file: " + s.notSpool.Error()})
		default:
			ds = append(ds, s.scan.bad...)
			if s.scan.cut {
				ds = append(ds, Damage{File: s.path, Offset: int64(len(s.bytes)), Length: s.scan.header.size - int64(len(s.bytes)),
					Reason: fmt.Sprintf("truncated to %d of its %d bytes", len(s.bytes), s.scan.header.size)})
			}
		}
	}
	return ds
}
