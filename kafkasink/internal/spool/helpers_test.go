package spool

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// crash stops s as a killed process would: no close frame, files closed.
func (s *Store) crash() {
	s.commitMu.Lock()
	s.closed = true
	s.commitMu.Unlock()
	close(s.bgStop)
	<-s.bgDone
	s.mu.Lock()
	s.closeFiles()
	s.mu.Unlock()
}

func open(t testing.TB, dir string, o Options) (*Store, Contents) {
	t.Helper()
	s, c, err := Open(dir, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, c
}

func record(seq uint64, size int) Record {
	data := []byte(fmt.Sprintf("record %d ", seq))
	for len(data) < size {
		data = append(data, byte('a'+seq%26))
	}
	return Record{Seq: seq, Data: data[:max(size, 1)]}
}

// commitRange commits records [from, to) of size bytes, per at a time.
func commitRange(t testing.TB, s *Store, from, to uint64, size, per int) {
	t.Helper()
	var batch []Record
	for seq := from; seq < to; seq++ {
		batch = append(batch, record(seq, size))
		if len(batch) == per || seq == to-1 {
			if err := s.Commit(batch, nil); err != nil {
				t.Fatalf("Commit: %v", err)
			}
			batch = nil
		}
	}
}

// seqs returns the sequences of every live record, read in pages.
func seqs(t testing.TB, s *Store) []uint64 {
	t.Helper()
	var got []uint64
	from := uint64(1)
	for {
		rs, next, err := s.Read(from, ^uint64(0), 7, 1<<20)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		for _, r := range rs {
			if want := record(r.Seq, len(r.Data)); string(r.Data) != string(want.Data) {
				t.Fatalf("record %d reads %q", r.Seq, r.Data)
			}
			got = append(got, r.Seq)
		}
		if len(rs) == 0 || next == ^uint64(0) {
			return got
		}
		from = next
	}
}

func seqRange(from, to uint64) []uint64 {
	var s []uint64
	for q := from; q < to; q++ {
		s = append(s, q)
	}
	return s
}

func wantSeqs(t testing.TB, got, want []uint64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("records %v, want %v", short(got), short(want))
	}
}

func short(s []uint64) string {
	if len(s) <= 12 {
		return fmt.Sprint(s)
	}
	return fmt.Sprintf("%v ... %v (%d)", s[:6], s[len(s)-6:], len(s))
}

func wantDamaged(t testing.TB, err error) {
	t.Helper()
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("Open: %v, want ErrDamaged", err)
	}
}
