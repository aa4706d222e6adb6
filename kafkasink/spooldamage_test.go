package kafkasink_test

import (
	"encoding/binary"
	"os"
	"testing"

	spooldisk "github.com/otelrelayer/otelrelayer/kafkasink/internal/spool"
)

// How the bad-spool tests damage a spool, the way a disk, a crash or an
// operator would: each finds the frames to damage through the store's own
// Inspect, then changes the file's bytes.

// A record frame: length u32 | crc u32 | kind u8 | sequence u64 | data.
const recordDataOffset = 4 + 4 + 1 + 8

// spoolRecords returns the records of the spool in dir, with their places.
func spoolRecords(t *testing.T, dir string) []spooldisk.RecordInfo {
	t.Helper()
	var recs []spooldisk.RecordInfo
	if _, err := spooldisk.Inspect(dir, func(r spooldisk.RecordInfo) { recs = append(recs, r) }); err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		t.Fatalf("no record in %s to damage", dir)
	}
	return recs
}

// segmentPath returns the spool's only segment file holding records.
func segmentPath(t *testing.T, dir string) string {
	t.Helper()
	return spoolRecords(t, dir)[0].File
}

// flipRecordByte flips a byte in the middle of record i's data (-1: the
// last record).
func flipRecordByte(t *testing.T, dir string, i int) {
	t.Helper()
	recs := spoolRecords(t, dir)
	if i < 0 {
		i = len(recs) - 1
	}
	r := recs[i]
	at := r.Offset + recordDataOffset + int64(len(r.Data)/2)
	b := readFile(t, r.File)
	b[at] ^= 0xff
	writeFile(t, r.File, b)
}

// tearLastRecord zeroes the file from the middle of the last record's
// frame on, as a crash during its write leaves it.
func tearLastRecord(t *testing.T, dir string) {
	t.Helper()
	recs := spoolRecords(t, dir)
	r := recs[len(recs)-1]
	b := readFile(t, r.File)
	clear(b[r.Offset+recordDataOffset/2:])
	writeFile(t, r.File, b)
}

// cutRecords truncates the segment at fraction of its records, in the
// middle of a record's frame, and returns how many records end before.
func cutRecords(t *testing.T, dir string, fraction float64) int {
	t.Helper()
	recs := spoolRecords(t, dir)
	i := int(float64(len(recs)) * fraction)
	r := recs[i]
	if err := os.Truncate(r.File, r.Offset+recordDataOffset/2); err != nil {
		t.Fatal(err)
	}
	return i
}

// bboltMetaPage returns the start of a bbolt file: a meta page (its page
// header, then bbolt's magic, version 2 and a page size of 4096), padded
// to two pages.
func bboltMetaPage() []byte {
	b := make([]byte, 8192)
	binary.LittleEndian.PutUint16(b[8:], 0x04) // meta page flag
	binary.LittleEndian.PutUint32(b[16:], 0xED0CDAED)
	binary.LittleEndian.PutUint32(b[20:], 2)
	binary.LittleEndian.PutUint32(b[24:], 4096)
	return b
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
