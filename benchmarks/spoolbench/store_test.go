package main

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tidwall/wal"
	bolt "go.etcd.io/bbolt"
)

// The spool's store candidates, compared on what a group commit does: append
// a batch of records (about the size of an event: 300 bytes) and make it
// durable with fsync, as many concurrent Produce calls sharing one commit
// would. appends/s is records per second at that batch size; p50_µs and
// p99_µs a commit's time. The store chosen, CRC-framed pre-allocated
// segments (kafkasink/internal/spool), runs the same loop in its own
// package, which this module may not import:
//
//	go test -run '^$' -bench Store -benchtime 2s ./spoolbench
//	go test -run '^$' -bench StoreCommit -benchtime 2s ../kafkasink/internal/spool
//
// Measured side by side in one run (2 cores, ext4, 2026-12-07; p50 of a
// commit, batch 1/16/64/256): segments 168/152/131/181 µs with one
// fdatasync each, bbolt 2-3x that and slower with the batch (see
// BENCHMARKS.md).

var storeBatches = []int{1, 16, 64, 256}

const storeRecordSize = 300

func BenchmarkStoreBbolt(b *testing.B) {
	for _, batch := range storeBatches {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db, err := bolt.Open(b.TempDir()+"/spool.db", 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			bucket := []byte("records")
			value := make([]byte, storeRecordSize)
			var seq uint64
			var took latencies
			b.ResetTimer()
			for range b.N {
				// One commit: the batch in, and as many acknowledged
				// records out, as the spool does in steady state.
				start := time.Now()
				err := db.Update(func(tx *bolt.Tx) error {
					bk, err := tx.CreateBucketIfNotExists(bucket)
					if err != nil {
						return err
					}
					bk.FillPercent = 1
					for i := range batch {
						if seq >= uint64(4*batch) {
							if err := bk.Delete(binary.BigEndian.AppendUint64(nil, seq-uint64(4*batch))); err != nil {
								return err
							}
						}
						_ = i
						seq++
						if err := bk.Put(binary.BigEndian.AppendUint64(nil, seq), value); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "appends/s")
			took.report(b)
		})
	}
}

func BenchmarkStoreTidwallWAL(b *testing.B) {
	for _, batch := range storeBatches {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			l, err := wal.Open(b.TempDir()+"/wal", nil) // fsync after every write
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			value := make([]byte, storeRecordSize)
			var index uint64
			var wb wal.Batch
			var took latencies
			b.ResetTimer()
			for range b.N {
				wb.Clear()
				for range batch {
					index++
					wb.Write(index, value)
				}
				start := time.Now()
				if err := l.WriteBatch(&wb); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "appends/s")
			took.report(b)
		})
	}
}

// BenchmarkStoreBboltBatchValue is bbolt with one value per group commit
// (the batch's records one after the other) instead of one per record, and
// a fully acknowledged older batch deleted in the same transaction.
func BenchmarkStoreBboltBatchValue(b *testing.B) {
	for _, batch := range storeBatches {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db, err := bolt.Open(b.TempDir()+"/spool.db", 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			bucket := []byte("records")
			value := make([]byte, storeRecordSize*batch)
			var seq uint64
			b.ResetTimer()
			for range b.N {
				err := db.Update(func(tx *bolt.Tx) error {
					bk, err := tx.CreateBucketIfNotExists(bucket)
					if err != nil {
						return err
					}
					bk.FillPercent = 1
					if seq >= 4 {
						if err := bk.Delete(binary.BigEndian.AppendUint64(nil, seq-4)); err != nil {
							return err
						}
					}
					seq++
					return bk.Put(binary.BigEndian.AppendUint64(nil, seq), value)
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "appends/s")
		})
	}
}

// latencies are commit times, reported as p50 and p99.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)/2].Microseconds()), "p50_µs")
	b.ReportMetric(float64(l[len(l)*99/100].Microseconds()), "p99_µs")
}
