package spool

import (
	"flag"
	"fmt"
	"slices"
	"testing"
	"time"
)

var long = flag.Bool("long", false, "run the long variants (a 1 GiB backlog)")

// BenchmarkStoreCommit is a group commit of batch records of 300 bytes
// (about an event) and as many acknowledged records deleted, as the spool
// does in steady state: the same work as benchmarks/spoolbench's
// BenchmarkStoreBbolt, on the segment store.
//
//	go test -run '^$' -bench StoreCommit -benchtime 2s ./kafkasink/internal/spool
func BenchmarkStoreCommit(b *testing.B) {
	for _, batch := range []int{1, 16, 64, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s, _ := open(b, b.TempDir(), Options{})
			defer s.Close()
			took := make([]time.Duration, 0, b.N)
			var seq uint64
			puts := make([]Record, batch)
			dels := make([]uint64, 0, batch)
			data := make([]byte, 300)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				dels = dels[:0]
				for i := range puts {
					seq++
					puts[i] = Record{Seq: seq, Data: data}
					if seq > uint64(4*batch) {
						dels = append(dels, seq-uint64(4*batch))
					}
				}
				start := time.Now()
				if err := s.Commit(puts, dels); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			b.StopTimer()
			st := s.Stats()
			slices.Sort(took)
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "appends/s")
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50_µs")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99_µs")
			b.ReportMetric(float64(st.CommitSyncs)/float64(st.Commits), "fsyncs/commit")
			b.ReportMetric(float64(st.BackgroundSyncs)/float64(st.Commits), "bg_fsyncs/commit")
		})
	}
}

// TestStoreBacklogFigures fills the store with a backlog (64 MiB, 1 GiB
// with -long), drains it, and prints the disk size and the commit time on
// a fresh store, with the backlog, and after the drain. It asserts only
// that the spool shrinks back (TestStoreShrinksAfterADrain's invariant);
// the times are figures, never asserted.
func TestStoreBacklogFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("figures")
	}
	backlog := int64(64 << 20)
	if *long {
		backlog = 1 << 30
	}
	s, _ := open(t, t.TempDir(), Options{})
	defer s.Close()
	data := make([]byte, 300)
	var seq uint64
	commitTime := func(n int) (p50, p99 time.Duration) {
		took := make([]time.Duration, 0, n)
		for range n {
			puts := make([]Record, 16)
			for i := range puts {
				seq++
				puts[i] = Record{Seq: seq, Data: data}
			}
			start := time.Now()
			if err := s.Commit(puts, nil); err != nil {
				t.Fatal(err)
			}
			took = append(took, time.Since(start))
			dels := make([]uint64, 16)
			for i := range dels {
				dels[i] = seq - 15 + uint64(i)
			}
			if err := s.Commit(nil, dels); err != nil {
				t.Fatal(err)
			}
		}
		slices.Sort(took)
		return took[n/2], took[n*99/100]
	}
	fresh50, fresh99 := commitTime(500)
	freshSize := s.Stats().DiskBytes
	first := seq + 1
	start := time.Now()
	for int64(seq-first)*300 < backlog {
		puts := make([]Record, 256)
		for i := range puts {
			seq++
			puts[i] = Record{Seq: seq, Data: data}
		}
		if err := s.Commit(puts, nil); err != nil {
			t.Fatal(err)
		}
	}
	fill := time.Since(start)
	full := s.Stats()
	full50, full99 := commitTime(500)
	start = time.Now()
	for q := first; q <= seq; q += 1024 {
		if err := s.Commit(nil, seqRange(q, min(q+1024, seq+1))); err != nil {
			t.Fatal(err)
		}
	}
	drain := time.Since(start)
	deadline := time.Now().Add(time.Minute)
	for s.Stats().DiskBytes > freshSize+DefaultSegmentSize && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	after := s.Stats()
	after50, after99 := commitTime(500)
	t.Logf("backlog %d MiB: filled in %v, deleted in %v", backlog>>20, fill.Round(time.Millisecond), drain.Round(time.Millisecond))
	t.Logf("store_size_fresh_bytes %d", freshSize)
	t.Logf("store_size_backlog_bytes %d", full.DiskBytes)
	t.Logf("store_size_drained_bytes %d", after.DiskBytes)
	t.Logf("store_commit_fresh_p50_us %d p99 %d", fresh50.Microseconds(), fresh99.Microseconds())
	t.Logf("store_commit_backlog_p50_us %d p99 %d", full50.Microseconds(), full99.Microseconds())
	t.Logf("store_commit_drained_p50_us %d p99 %d", after50.Microseconds(), after99.Microseconds())
	t.Logf("fsyncs_per_commit %.2f (background %.3f)", float64(after.CommitSyncs)/float64(after.Commits), float64(after.BackgroundSyncs)/float64(after.Commits))
	if after.DiskBytes > freshSize+DefaultSegmentSize {
		t.Fatalf("after the drain the store takes %d bytes, fresh %d", after.DiskBytes, freshSize)
	}
}
