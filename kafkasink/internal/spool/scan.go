package spool

import "fmt"

// segmentScan is what one segment's bytes hold.
type segmentScan struct {
	header segmentHeader
	frames []frame // every valid frame, in order, also those after a bad spot
	bad    []Damage
	// problem is the offset where the segment stops being a sequence of
	// complete commits followed by zeros, -1 when it never does; why says
	// what is there.
	problem int64
	why     string
	// dataEnd is where the complete commits before the problem end: a
	// torn commit is cut whole, as it was written.
	dataEnd int64
	// cut reports a file shorter than its header says, whose data runs
	// into the end of the file: truncated, never torn.
	cut bool
}

// scanSegment reads every frame of b, a segment's bytes, resynchronizing
// after each bad spot on the next valid frame (a salvage needs every intact
// record), and finds the first problem for recovery.
func scanSegment(file string, b []byte) (s segmentScan, err error) {
	s.header, err = parseHeader(b)
	if err != nil {
		return s, err
	}
	s.problem = -1
	p := int64(headerSize)
	for p < int64(len(b)) {
		f, zero, why := parseFrame(b[p:])
		if why == "" && !zero {
			f.off = p
			s.frames = append(s.frames, f)
			p += f.size
			continue
		}
		if zero {
			q := nonZero(b, p)
			if q < 0 {
				break // zeros to the end: the data ends at p
			}
			why = fmt.Sprintf("non-zero bytes at %d after the end of the data at %d", q, p)
			p = q
		}
		q := resync(b, p+1)
		end := q
		if q < 0 {
			end = lastNonZero(b) + 1
		}
		s.bad = append(s.bad, Damage{File: file, Offset: p, Length: end - p, Reason: why})
		if q < 0 {
			break
		}
		p = q
	}
	s.check(int64(len(b)))
	return s, nil
}

// check finds the first problem: the valid frames must tile the segment
// from its header as commits, each followed by exactly its body.
func (s *segmentScan) check(size int64) {
	at := int64(headerSize)
	commitAt := at         // where the last commit started
	var bodyEnd int64 = -1 // inside a commit's body until there
	for _, f := range s.frames {
		switch {
		case f.off != at:
			s.setProblem(at, "a gap of damaged bytes")
		case bodyEnd < 0 && f.kind != kindCommit:
			s.setProblem(at, "a record or delete frame outside any commit")
		case bodyEnd >= 0 && f.kind == kindCommit:
			s.setProblem(at, "a commit frame inside the previous commit")
		case bodyEnd >= 0 && f.off+f.size > bodyEnd:
			s.setProblem(at, "a frame past the end of its commit")
		}
		if s.problem >= 0 {
			break
		}
		at = f.off + f.size
		switch {
		case f.kind == kindCommit:
			commitAt = f.off
			bodyEnd = at + parseCommit(f.payload).bodyLen
			if bodyEnd == at {
				bodyEnd = -1
			}
		case at == bodyEnd:
			bodyEnd = -1
		}
	}
	if s.problem < 0 && len(s.bad) > 0 {
		s.setProblem(at, s.bad[0].Reason)
	}
	if s.problem < 0 && bodyEnd >= 0 {
		s.setProblem(at, "a commit cut short")
	}
	s.dataEnd = at
	if s.problem >= 0 {
		s.dataEnd = s.problem
		if bodyEnd >= 0 {
			s.dataEnd = commitAt
		}
	}
	// Data running into the end of a file shorter than created: cut.
	s.cut = size < s.header.size && (s.problem >= 0 || at+frameHeaderSize > size)
}

func (s *segmentScan) setProblem(at int64, why string) {
	for _, d := range s.bad {
		if d.Offset <= at && at < d.Offset+d.Length || d.Offset == at {
			why = d.Reason
			break
		}
	}
	s.problem, s.why = at, why
}

// commitsAfter returns the valid commit frames that start after off.
func (s *segmentScan) commitsAfter(off int64) []commitFrame {
	var cs []commitFrame
	for _, f := range s.frames {
		if f.off > off && f.kind == kindCommit {
			cs = append(cs, parseCommit(f.payload))
		}
	}
	return cs
}

// resync returns the offset of the next valid, non-zero frame at or after
// from, or -1.
func resync(b []byte, from int64) int64 {
	for q := from; q+frameHeaderSize <= int64(len(b)); q++ {
		if b[q] == 0 && b[q+1] == 0 && b[q+2] == 0 && b[q+3] == 0 {
			continue // a zero length: no frame
		}
		if _, zero, why := parseFrame(b[q:]); why == "" && !zero {
			return q
		}
	}
	return -1
}

func nonZero(b []byte, from int64) int64 {
	for i := from; i < int64(len(b)); i++ {
		if b[i] != 0 {
			return i
		}
	}
	return -1
}

func lastNonZero(b []byte) int64 {
	for i := int64(len(b)) - 1; i >= 0; i-- {
		if b[i] != 0 {
			return i
		}
	}
	return -1
}
