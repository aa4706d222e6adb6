package spool

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRecover writes a spool of commits, damages one range of its segment
// (every byte changed) or cuts the file, and opens it again. Open must
// either fail with ErrDamaged, exactly when a valid commit follows the
// damage (or the file was cut into its data), or recover exactly the
// commits that end before the damage: never a record past it, never less
// than every complete commit before it.
func FuzzRecover(f *testing.F) {
	f.Add(uint8(5), uint8(3), uint16(40), uint32(100), uint16(1), byte(0xff), false, false)
	f.Add(uint8(5), uint8(3), uint16(40), uint32(100), uint16(1), byte(0xff), true, false)
	f.Add(uint8(9), uint8(1), uint16(200), uint32(1500), uint16(30), byte(0x01), false, false)
	f.Add(uint8(9), uint8(1), uint16(200), uint32(1500), uint16(30), byte(0x01), false, true)
	f.Add(uint8(2), uint8(4), uint16(10), uint32(3000), uint16(5), byte(0x80), true, true)
	f.Fuzz(func(t *testing.T, commits, per uint8, size uint16, at uint32, length uint16, xor byte, closed, cutFile bool) {
		if commits == 0 || per == 0 || xor == 0 || length == 0 {
			return
		}
		commits, per, size = commits%32+1, per%8+1, size%1024+1
		dir := t.TempDir()
		s, _ := open(t, dir, Options{SegmentSize: 1 << 20})
		commitRange(t, s, 1, uint64(commits)*uint64(per)+1, int(size), int(per))
		if closed {
			s.Close()
		} else {
			s.crash()
		}
		seg := filepath.Join(dir, segmentName(1))
		orig, err := os.ReadFile(seg)
		if err != nil {
			t.Fatal(err)
		}
		layout := layoutOf(t, orig)
		d := headerSize + int64(at)%(int64(len(orig))-headerSize)
		e := min(d+int64(length), int64(len(orig)))
		b := append([]byte(nil), orig...)
		if cutFile {
			b = b[:d]
		} else {
			for i := d; i < e; i++ {
				b[i] ^= xor
			}
		}
		if err := os.WriteFile(seg, b, 0o600); err != nil {
			t.Fatal(err)
		}
		got, _, err := Open(dir, Options{})
		var wantErr bool
		if cutFile {
			wantErr = d < layout.dataEnd+frameHeaderSize
		} else {
			wantErr = d < layout.dataEnd && layout.commitAfter(e)
		}
		if wantErr {
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("damage at %d..%d (data ends at %d, commits at %v): Open %v, want ErrDamaged", d, e, layout.dataEnd, layout.commits, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("damage at %d..%d (data ends at %d, commits at %v): Open %v, want the commits before it", d, e, layout.dataEnd, layout.commits, err)
		}
		want := layout.recordsBefore(d)
		wantSeqs(t, seqs(t, got), want)
		got.Close()
		again, _ := open(t, dir, Options{}) // the cut is for good
		defer again.Close()
		wantSeqs(t, seqs(t, again), want)
	})
}

// layout is where the commits and records of an intact segment are.
type layout struct {
	commits []int64 // commit frame offsets
	ends    []int64 // where each commit ends
	seqs    [][]uint64
	dataEnd int64
}

func layoutOf(t *testing.T, b []byte) layout {
	t.Helper()
	var l layout
	p := int64(headerSize)
	for {
		f, zero, why := parseFrame(b[p:])
		if zero {
			break
		}
		if why != "" {
			t.Fatalf("intact segment at %d: %s", p, why)
		}
		if f.kind == kindCommit {
			l.commits = append(l.commits, p)
			l.ends = append(l.ends, p+f.size+parseCommit(f.payload).bodyLen)
			l.seqs = append(l.seqs, nil)
		}
		if f.kind == kindRecord {
			l.seqs[len(l.seqs)-1] = append(l.seqs[len(l.seqs)-1], binary.LittleEndian.Uint64(f.payload))
		}
		p += f.size
	}
	l.dataEnd = p
	return l
}

func (l layout) commitAfter(off int64) bool {
	for _, c := range l.commits {
		if c >= off {
			return true
		}
	}
	return false
}

func (l layout) recordsBefore(off int64) []uint64 {
	var s []uint64
	for i, end := range l.ends {
		if end <= off {
			s = append(s, l.seqs[i]...)
		}
	}
	return s
}
