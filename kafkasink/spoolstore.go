package kafkasink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/trace"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// spoolFileName is the store's file in the spool directory; other files
// there are left alone.
const spoolFileName = "otelrelayer-spool.db"

var (
	spoolRecordsBucket = []byte("records")
	spoolMetaBucket    = []byte("otelrelayer")
	spoolFormatKey     = []byte("format")
	spoolFormat        = []byte("otelrelayer spool 1")
)

// spoolStore is the spool's write-ahead log: a bbolt file whose records
// bucket maps big-endian sequence numbers to encoded records. bbolt gives
// atomic, checksummed transactions (a torn commit leaves the previous one)
// and an exclusive flock on the file (one producer per directory).
type spoolStore struct {
	db   *bolt.DB
	path string
}

// spoolContents is what [openSpoolStore] found in the file.
type spoolContents struct {
	records     int64
	bytes       int64
	first, last uint64 // sequence numbers; 0 when empty
}

// openSpoolStore opens or creates the store in dir and checks every record
// in it. bbolt panics on some damaged files and maps the file, so a
// truncated one could fault: both become errors here.
func openSpoolStore(dir string) (s *spoolStore, c spoolContents, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, c, fmt.Errorf("%w: creating the spool directory: %w", ErrSpool, err)
	}
	path := filepath.Join(dir, spoolFileName)
	defer func() {
		if r := recover(); r != nil {
			if s != nil {
				_ = s.db.Close()
			}
			s, err = nil, fmt.Errorf("%w: %s is damaged (%v); move it away to start with an empty spool", ErrSpool, path, r)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout: 100 * time.Millisecond,
		// The freelist is synced (bbolt's default): without it, bbolt
		// rebuilds it at Open in a goroutine of its own, where a page past
		// the end of a truncated file faults beyond our recover.
		FreelistType: bolt.FreelistMapType,
	})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, c, fmt.Errorf("%w: %s is in use by another producer (its lock is held); give each producer its own spool directory", ErrSpool, path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return nil, c, fmt.Errorf("%w: %s is not a spool file (%w); move it away to start with an empty spool", ErrSpool, path, err)
	case err != nil:
		return nil, c, fmt.Errorf("%w: opening %s: %w", ErrSpool, path, err)
	}
	s = &spoolStore{db: db, path: path}
	if c, err = s.init(); err != nil {
		_ = db.Close()
		return nil, c, err
	}
	return s, c, nil
}

// init creates the buckets of a new file, refuses a file that is not a
// spool, and checks and measures every record.
func (s *spoolStore) init() (c spoolContents, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		meta, records := tx.Bucket(spoolMetaBucket), tx.Bucket(spoolRecordsBucket)
		if meta == nil {
			if k, _ := tx.Cursor().First(); k != nil || records != nil { // someone else's bbolt file
				return fmt.Errorf("%w: %s is a bbolt file but not a spool; move it away or choose another directory", ErrSpool, s.path)
			}
			if meta, err = tx.CreateBucket(spoolMetaBucket); err != nil {
				return err
			}
			if err = meta.Put(spoolFormatKey, spoolFormat); err != nil {
				return err
			}
			_, err = tx.CreateBucket(spoolRecordsBucket)
			return err
		}
		if f := meta.Get(spoolFormatKey); string(f) != string(spoolFormat) || records == nil {
			return fmt.Errorf("%w: %s has spool format %q, want %q", ErrSpool, s.path, f, spoolFormat)
		}
		return records.ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return fmt.Errorf("%w: %s holds a key of %d bytes; move it away to start with an empty spool", ErrSpool, s.path, len(k))
			}
			if _, _, err := decodeSpoolRecord(v); err != nil {
				return fmt.Errorf("%w: %s, record %d: %w; move the file away to start with an empty spool", ErrSpool, s.path, binary.BigEndian.Uint64(k), err)
			}
			seq := binary.BigEndian.Uint64(k)
			if c.first == 0 {
				c.first = seq
			}
			c.last = seq
			c.records++
			c.bytes += int64(len(v))
			return nil
		})
	})
	if err != nil && !errors.Is(err, ErrSpool) {
		err = fmt.Errorf("%w: reading %s: %w", ErrSpool, s.path, err)
	}
	return c, err
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq) }

// commit writes puts and removes dels in one transaction: one group commit.
// Its runtime/trace region lets benchmarks/spoolbench count commits and
// the fsyncs they make (fsyncs_per_commit) from an execution trace.
func (s *spoolStore) commit(puts []*spoolEntry, dels []uint64) error {
	defer trace.StartRegion(context.Background(), "otelrelayer.spool.commit").End()
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(spoolRecordsBucket)
		b.FillPercent = 1 // keys only grow: full pages
		for _, seq := range dels {
			if err := b.Delete(seqKey(seq)); err != nil {
				return err
			}
		}
		var key [8]byte
		for _, e := range puts {
			binary.BigEndian.PutUint64(key[:], e.seq)
			if err := b.Put(key[:], e.data); err != nil {
				return err
			}
		}
		return nil
	})
}

// read returns the records with sequence numbers in [from, to), at most max
// of them and about maxBytes, and the sequence number to read from next.
// A record that does not decode is returned as an error naming it, with
// next past it, so that the caller can go on.
func (s *spoolStore) read(from, to uint64, max int, maxBytes int64) (es []*spoolEntry, next uint64, err error) {
	next = to
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(spoolRecordsBucket).Cursor()
		var n int64
		for k, v := c.Seek(seqKey(from)); k != nil; k, v = c.Next() {
			seq := binary.BigEndian.Uint64(k)
			if seq >= to {
				return nil
			}
			if len(es) == max || n >= maxBytes {
				next = seq
				return nil
			}
			m, ts, err := decodeSpoolRecord(v)
			if err != nil {
				next = seq + 1
				return fmt.Errorf("%w: %s, record %d: %w", ErrSpool, s.path, seq, err)
			}
			es = append(es, newSpoolEntry(seq, m, ts, int64(len(v)), nil))
			n += int64(len(v))
		}
		return nil
	})
	return es, next, err
}

// first returns the lowest sequence number stored, 0 when empty.
func (s *spoolStore) first() (uint64, error) {
	var seq uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(spoolRecordsBucket).Cursor().First(); k != nil {
			seq = binary.BigEndian.Uint64(k)
		}
		return nil
	})
	return seq, err
}

// count returns the number of records stored.
func (s *spoolStore) count() int {
	var n int
	_ = s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(spoolRecordsBucket).Stats().KeyN
		return nil
	})
	return n
}

func (s *spoolStore) close() error { return s.db.Close() }
