package spool

import (
	"encoding/binary"
	"slices"
)

// RecordInfo is one live record found by Inspect, with where it is.
type RecordInfo struct {
	Seq    uint64
	File   string
	Offset int64 // of its frame
	Data   []byte
}

// FileInfo describes one segment file.
type FileInfo struct {
	File    string
	Size    int64
	Records int // live records in it
}

// Report is what Inspect found in a spool directory.
type Report struct {
	Dir     string
	Files   []FileInfo
	Records int   // live records, also those found past damage
	Bytes   int64 // of their data
	Damage  []Damage
	// OpenErr is what Open would return (nil when it would open), and
	// TornBytes what it would cut as a torn last commit.
	OpenErr   error
	TornBytes int64
}

// Inspect reads the spool in dir without changing it or taking its lock,
// and calls each (when not nil) for every live record, in sequence order:
// those a damaged frame hides from Open included, as Salvage would keep
// them. A producer writing meanwhile may make the report inconsistent.
func Inspect(dir string, each func(RecordInfo)) (Report, error) {
	r := Report{Dir: dir}
	l, err := readSpool(dir)
	if err != nil {
		return r, err
	}
	cuts, err := l.verdict()
	r.OpenErr = err
	for _, c := range cuts {
		// What Open cuts is a crash's trace, not damage: reported apart.
		s := &l.segs[c.seg]
		if end := lastNonZero(s.bytes) + 1; end > c.off {
			r.TornBytes += end - c.off
		}
		s.scan.frames = slices.DeleteFunc(s.scan.frames, func(f frame) bool { return f.off >= c.off })
		s.scan.bad = slices.DeleteFunc(s.scan.bad, func(d Damage) bool { return d.Offset >= c.off })
	}
	r.Damage = l.damage()
	recs, files := l.liveRecords()
	r.Files = files
	for _, rec := range recs {
		r.Records++
		r.Bytes += int64(len(rec.Data))
		if each != nil {
			each(rec)
		}
	}
	return r, nil
}

// liveRecords returns every valid record frame of every segment that is
// not deleted by a valid delete frame, in sequence order.
func (l *loaded) liveRecords() ([]RecordInfo, []FileInfo) {
	var recs []RecordInfo
	deleted := map[uint64]bool{}
	for _, s := range l.segs {
		for _, f := range s.scan.frames {
			switch f.kind {
			case kindRecord:
				recs = append(recs, RecordInfo{Seq: binary.LittleEndian.Uint64(f.payload), File: s.path, Offset: f.off, Data: f.payload[8:]})
			case kindDelete:
				seqs, _ := parseDelete(f.payload) // a valid frame's payload: checked by its CRC
				for _, q := range seqs {
					deleted[q] = true
				}
			}
		}
	}
	recs = slices.DeleteFunc(recs, func(r RecordInfo) bool { return deleted[r.Seq] })
	slices.SortStableFunc(recs, func(a, b RecordInfo) int {
		switch {
		case a.Seq < b.Seq:
			return -1
		case a.Seq > b.Seq:
			return 1
		}
		return 0
	})
	recs = slices.CompactFunc(recs, func(a, b RecordInfo) bool { return a.Seq == b.Seq })
	var files []FileInfo
	for _, s := range l.segs {
		if s.missing {
			continue
		}
		fi := FileInfo{File: s.path, Size: int64(len(s.bytes))}
		for _, r := range recs {
			if r.File == s.path {
				fi.Records++
			}
		}
		files = append(files, fi)
	}
	return recs, files
}
