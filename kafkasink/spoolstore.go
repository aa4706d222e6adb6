package kafkasink

import (
	"context"
	"errors"
	"fmt"
	"runtime/trace"

	spooldisk "github.com/otelrelayer/otelrelayer/kafkasink/internal/spool"
)

// spoolStore adapts the spool's disk layer (kafkasink/internal/spool: CRC-
// framed segment files, one fdatasync per group commit, an exclusive flock
// per directory) to the spool: entries in, entries out, errors wrapping
// ErrSpool.
type spoolStore struct {
	st   *spooldisk.Store
	path string // the spool directory, named in errors and logs
	puts []spooldisk.Record
}

// spoolContents is what [openSpoolStore] found in the directory.
type spoolContents struct {
	records     int64
	bytes       int64
	first, last uint64 // sequence numbers; 0 when empty
}

// openSpoolStore opens or creates the store in dir and checks every record
// in it: a damaged spool is an error naming `relayspool salvage`, never an
// empty spool.
func openSpoolStore(dir string) (*spoolStore, spoolContents, error) {
	st, c, err := spooldisk.Open(dir, spooldisk.Options{})
	switch {
	case errors.Is(err, spooldisk.ErrLocked):
		return nil, spoolContents{}, fmt.Errorf("%w: %s is in use by another producer (its lock is held); give each producer its own spool directory", ErrSpool, dir)
	case err != nil:
		return nil, spoolContents{}, fmt.Errorf("%w: %w", ErrSpool, err)
	}
	return &spoolStore{st: st, path: dir}, spoolContents{records: c.Records, bytes: c.Bytes, first: c.First, last: c.Last}, nil
}

// commit writes puts and removes dels in one group commit.
// Its runtime/trace region lets benchmarks/spoolbench count commits and
// the fsyncs they make (fsyncs_per_commit) from an execution trace.
func (s *spoolStore) commit(puts []*spoolEntry, dels []uint64) error {
	defer trace.StartRegion(context.Background(), "otelrelayer.spool.commit").End()
	s.puts = s.puts[:0]
	for _, e := range puts {
		s.puts = append(s.puts, spooldisk.Record{Seq: e.seq, Data: e.data})
	}
	err := s.st.Commit(s.puts, dels)
	clear(s.puts) // let the records' data go
	return err
}

// read returns the records with sequence numbers in [from, to), at most max
// of them and about maxBytes, and the sequence number to read from next.
// A record that does not decode is returned as an error naming it, with
// next past it, so that the caller can go on.
func (s *spoolStore) read(from, to uint64, max int, maxBytes int64) ([]*spoolEntry, uint64, error) {
	rs, next, err := s.st.Read(from, to, max, maxBytes)
	es := make([]*spoolEntry, 0, len(rs))
	for _, r := range rs {
		m, ts, derr := decodeSpoolRecord(r.Data)
		if derr != nil {
			return es, r.Seq + 1, fmt.Errorf("%w: %s, record %d: %w", ErrSpool, s.path, r.Seq, derr)
		}
		es = append(es, newSpoolEntry(r.Seq, m, ts, int64(len(r.Data)), nil))
	}
	if err != nil {
		err = fmt.Errorf("%w: %w", ErrSpool, err)
	}
	return es, next, err
}

// first returns the lowest sequence number stored, 0 when empty.
func (s *spoolStore) first() (uint64, error) { return s.st.First(), nil }

// count returns the number of records stored.
func (s *spoolStore) count() int { return s.st.Count() }

func (s *spoolStore) close() error { return s.st.Close() }
