package spool

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStoreKeepsCommittedRecordsAcrossOpens(t *testing.T) {
	dir := t.TempDir()
	s, c := open(t, dir, Options{})
	if c != (Contents{}) {
		t.Fatalf("a new spool holds %+v", c)
	}
	commitRange(t, s, 1, 101, 300, 16)
	if err := s.Commit(nil, []uint64{1, 2, 50, 999}); err != nil { // 999: unknown, ignored
		t.Fatal(err)
	}
	if s.First() != 3 || s.Count() != 97 {
		t.Fatalf("First %d, Count %d; want 3, 97", s.First(), s.Count())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, c = open(t, dir, Options{})
	defer s.Close()
	if c.Records != 97 || c.First != 3 || c.Last != 100 || c.TornBytes != 0 {
		t.Fatalf("reopened: %+v, want 97 records from 3 to 100", c)
	}
	want := slices.DeleteFunc(seqRange(3, 101), func(q uint64) bool { return q == 50 })
	wantSeqs(t, seqs(t, s), want)
	rs, next, err := s.Read(10, 20, 3, 1<<20)
	if err != nil || len(rs) != 3 || rs[0].Seq != 10 || next != 13 {
		t.Fatalf("Read(10, 20, max 3) = %d records, next %d, %v; want 10..12, next 13", len(rs), next, err)
	}
	if err := s.Commit([]Record{record(5, 10)}, nil); err == nil {
		t.Fatal("Commit of record 5 after record 100: nil error, want sequences to increase")
	}
}

func TestStoreOneFdatasyncPerCommit(t *testing.T) {
	s, _ := open(t, t.TempDir(), Options{})
	defer s.Close()
	commitRange(t, s, 1, 1001, 300, 10)
	st := s.Stats()
	if st.Commits != 100 || st.CommitSyncs != st.Commits {
		t.Fatalf("%d commits made %d fdatasyncs, want one each", st.Commits, st.CommitSyncs)
	}
	t.Logf("%+v", st)
}

func TestStoreShrinksAfterADrain(t *testing.T) {
	const segment = 64 << 10
	s, _ := open(t, t.TempDir(), Options{SegmentSize: segment})
	defer s.Close()
	base := s.Stats().DiskBytes
	commitRange(t, s, 1, 2001, 500, 20) // 1 MB: about 16 segments
	grown := s.Stats()
	if grown.Segments < 10 {
		t.Fatalf("1 MB in segments of 64 KiB: %d segments", grown.Segments)
	}
	for q := uint64(1); q <= 2000; q += 100 {
		if err := s.Commit(nil, seqRange(q, q+100)); err != nil {
			t.Fatal(err)
		}
	}
	// Segments are removed in the background: wait for the files.
	segmentFiles := func() []string {
		files, _ := filepath.Glob(filepath.Join(s.Dir(), segPrefix+"*"))
		return files
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(segmentFiles()) > 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	after := s.Stats()
	t.Logf("disk: %d bytes new, %d with the backlog (%d segments), %d drained (%d segments)", base, grown.DiskBytes, grown.Segments, after.DiskBytes, after.Segments)
	if after.DiskBytes > base+segment {
		t.Fatalf("after the drain the spool takes %d bytes, want at most %d (the active segment and the next)", after.DiskBytes, base+segment)
	}
	if files := segmentFiles(); len(files) != after.Segments {
		t.Fatalf("%d segment files on disk, the store counts %d", len(files), after.Segments)
	}
}

// TestStoreShrinksAroundAWaitingRecord: one record that is never
// acknowledged (its topic refused) does not keep the segments after it.
func TestStoreShrinksAroundAWaitingRecord(t *testing.T) {
	const segment = 64 << 10
	dir := t.TempDir()
	s, _ := open(t, dir, Options{SegmentSize: segment})
	commitRange(t, s, 1, 2001, 500, 20) // 1 MB: about 16 segments
	for q := uint64(2); q <= 2000; q += 100 {
		if err := s.Commit(nil, seqRange(q, min(q+100, 2001))); err != nil {
			t.Fatal(err)
		}
	}
	segmentFiles := func() []string {
		files, _ := filepath.Glob(filepath.Join(dir, segPrefix+"*"))
		return files
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(segmentFiles()) > 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if files := segmentFiles(); len(files) > 3 {
		t.Fatalf("record 1 waits, the rest was acknowledged: %d segment files, want its own, the active one and the next", len(files))
	}
	commitRange(t, s, 2001, 2101, 500, 20)
	s.crash()
	s, c := open(t, dir, Options{SegmentSize: segment})
	defer s.Close()
	t.Logf("reopened: %+v", c)
	wantSeqs(t, seqs(t, s), append([]uint64{1}, seqRange(2001, 2101)...))
}

func TestSegmentNamesAreOnlyOurs(t *testing.T) {
	for name, want := range map[string]bool{
		segmentName(1):                               true,
		"otelrelayer-spool-00000000000000ff.seg":     true,
		"0000000000000001.seg":                       false,
		"otelrelayer-spool-1.seg":                    false,
		"otelrelayer-spool-0000000000000001.seg.tmp": false,
		"README": false,
	} {
		if _, got := parseSegmentName(name); got != want {
			t.Errorf("parseSegmentName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestStoreLocksItsDirectory(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, Options{})
	if _, _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	s.Close()
	s, _ = open(t, dir, Options{})
	s.Close()
}

func TestStoreUndoesAFailedCommit(t *testing.T) {
	dir := t.TempDir()
	fail := errors.New("injected")
	var failing string
	s, _ := open(t, dir, Options{Failpoint: func(p string) error {
		if p == failing {
			return fail
		}
		return nil
	}})
	commitRange(t, s, 1, 11, 100, 5)
	for _, point := range []string{"commit:write", "commit:sync"} {
		failing = point
		if err := s.Commit([]Record{record(11, 100)}, []uint64{1}); !errors.Is(err, fail) {
			t.Fatalf("Commit failing at %s: %v", point, err)
		}
	}
	failing = ""
	commitRange(t, s, 11, 21, 100, 5)
	s.crash()
	s, _ = open(t, dir, Options{})
	defer s.Close()
	wantSeqs(t, seqs(t, s), seqRange(1, 21))
}

// TestStoreFsyncsTheDirectory: every created, renamed or removed file is
// followed by an fsync of the directory, and a failing one is an error.
func TestStoreFsyncsTheDirectory(t *testing.T) {
	var mu sync.Mutex
	var points []string
	record := func(p string) error {
		mu.Lock()
		defer mu.Unlock()
		points = append(points, p)
		return nil
	}
	dir := t.TempDir()
	s, _ := open(t, dir, Options{SegmentSize: 64 << 10, Failpoint: record})
	if !slices.Equal(points, []string{"segment:zeroed", "dirsync:segment", "manifest:written", "dirsync:manifest"}) {
		t.Fatalf("a new spool's steps: %v", points)
	}
	commitRange(t, s, 1, 301, 500, 10) // past the first segment
	if err := s.Commit(nil, seqRange(1, 301)); err != nil {
		t.Fatal(err)
	}
	removed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(points, "dirsync:remove")
	}
	for deadline := time.Now().Add(10 * time.Second); !removed() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond) // the background removes the emptied segments
	}
	s.Close()
	if !removed() {
		t.Errorf("no dirsync:remove among %v", points)
	}
	for i, p := range points {
		if p == "segment:zeroed" && !slices.Contains(points[i:], "dirsync:segment") {
			t.Errorf("a segment created without a directory fsync after it: %v", points)
		}
	}
	broken := errors.New("injected")
	_, _, err := Open(t.TempDir(), Options{Failpoint: func(p string) error {
		if p == "dirsync:segment" {
			return broken
		}
		return nil
	}})
	if !errors.Is(err, broken) {
		t.Fatalf("Open whose directory fsync fails: %v", err)
	}
}

func TestStoreRefusesADamagedSpool(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, dir, seg string, offsets []int64)
		want   string
	}{
		{"flipped byte before the last commit", func(t *testing.T, dir, seg string, offsets []int64) {
			flip(t, seg, offsets[len(offsets)/2]+dataOffset)
		}, "checksum mismatch"},
		{"segment cut to 0 bytes", func(t *testing.T, dir, seg string, _ []int64) {
			os.Truncate(seg, 0)
		}, "truncated to 0 bytes"},
		{"segment cut to its header", func(t *testing.T, dir, seg string, _ []int64) {
			os.Truncate(seg, headerSize)
		}, "truncated to 32"},
		{"segment cut in half", func(t *testing.T, dir, seg string, offsets []int64) {
			os.Truncate(seg, offsets[len(offsets)/2])
		}, "truncated to"},
		{"manifest garbled", func(t *testing.T, dir, seg string, _ []int64) {
			flip(t, filepath.Join(dir, manifestName), 20)
		}, "not a spool manifest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s, _ := open(t, dir, Options{})
			commitRange(t, s, 1, 101, 100, 1)
			s.Close()
			var offsets []int64
			rep, err := Inspect(dir, func(r RecordInfo) { offsets = append(offsets, r.Offset) })
			if err != nil || rep.OpenErr != nil || rep.Records != 100 {
				t.Fatalf("Inspect before the damage: %+v, %v", rep, err)
			}
			tt.damage(t, dir, filepath.Join(dir, segmentName(1)), offsets)
			_, _, err = Open(dir, Options{})
			wantDamaged(t, err)
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "relayspool salvage "+dir) {
				t.Fatalf("Open: %v, want it to say %q and name relayspool salvage %s", err, tt.want, dir)
			}
			rep, err = Inspect(dir, nil)
			if err != nil || rep.OpenErr == nil || len(rep.Damage) == 0 {
				t.Fatalf("Inspect after the damage: %+v, %v; want the damage and Open's error", rep, err)
			}
		})
	}
}

func TestStoreCutsATornLastCommit(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, Options{})
	commitRange(t, s, 1, 51, 100, 10)
	s.crash()
	var offsets []int64
	Inspect(dir, func(r RecordInfo) { offsets = append(offsets, r.Offset) })
	seg := filepath.Join(dir, segmentName(1))
	b, _ := os.ReadFile(seg)
	clear(b[offsets[45]+4:]) // the last commit, records 41..50: torn in record 46
	os.WriteFile(seg, b, 0o600)
	s, c := open(t, dir, Options{})
	if c.TornBytes == 0 {
		t.Error("no torn bytes reported")
	}
	// A commit is all or nothing: 41..45 never were acknowledged either.
	wantSeqs(t, seqs(t, s), seqRange(1, 41))
	commitRange(t, s, 51, 61, 100, 10)
	s.Close()
	s, _ = open(t, dir, Options{}) // the torn tail is gone for good
	defer s.Close()
	wantSeqs(t, seqs(t, s), append(seqRange(1, 41), seqRange(51, 61)...))
}

func flip(t *testing.T, path string, at int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[at] ^= 0x55
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSalvageReadsSegmentsPastAGarbledManifest: a damaged manifest makes
// Open fail, and Salvage still keeps every record of the segments.
func TestSalvageReadsSegmentsPastAGarbledManifest(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, Options{})
	commitRange(t, s, 1, 51, 100, 5)
	s.Close()
	flip(t, filepath.Join(dir, manifestName), 20)
	_, _, err := Open(dir, Options{})
	wantDamaged(t, err)
	rep, err := Salvage(dir, time.Now(), nil)
	if err != nil || rep.Kept != 50 {
		t.Fatalf("Salvage: kept %d (%v), want 50", rep.Kept, err)
	}
	s, _ = open(t, dir, Options{})
	defer s.Close()
	wantSeqs(t, seqs(t, s), seqRange(1, 51))
}

// TestInspectTellsATornTailFromDamage: the commit a crash interrupted is
// reported as torn bytes, not damage, and Salvage leaves the spool alone.
func TestInspectTellsATornTailFromDamage(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, Options{})
	commitRange(t, s, 1, 21, 100, 10)
	s.crash()
	var offsets []int64
	Inspect(dir, func(r RecordInfo) { offsets = append(offsets, r.Offset) })
	seg := filepath.Join(dir, segmentName(1))
	b, _ := os.ReadFile(seg)
	clear(b[offsets[15]+4:])
	os.WriteFile(seg, b, 0o600)
	rep, err := Inspect(dir, nil)
	if err != nil || rep.OpenErr != nil || len(rep.Damage) != 0 || rep.TornBytes == 0 || rep.Records != 10 {
		t.Fatalf("Inspect of a torn tail: %+v, %v; want 10 records, torn bytes and no damage", rep, err)
	}
	if rep, err := Salvage(dir, time.Now(), nil); err != nil || rep.Aside != "" {
		t.Fatalf("Salvage of a torn tail: %+v, %v; want nothing done", rep, err)
	}
}
