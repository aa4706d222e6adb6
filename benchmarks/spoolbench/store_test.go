package main

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/tidwall/wal"
	bolt "go.etcd.io/bbolt"
)

// The spool's store candidates, compared on what a group commit does: append
// a batch of records (about the size of an event: 300 bytes) and make it
// durable with fsync, as many concurrent Produce calls sharing one commit
// would. appends/s is records per second at that batch size.
//
//	go test -bench Store -benchtime 2s ./spoolbench

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
			b.ResetTimer()
			for range b.N {
				// One commit: the batch in, and as many acknowledged
				// records out, as the spool does in steady state.
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
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "appends/s")
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
			b.ResetTimer()
			for range b.N {
				wb.Clear()
				for range batch {
					index++
					wb.Write(index, value)
				}
				if err := l.WriteBatch(&wb); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "appends/s")
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
