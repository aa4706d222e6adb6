package kafkasink

import (
	"fmt"
	"time"

	spooldisk "github.com/otelrelayer/otelrelayer/kafkasink/internal/spool"
)

// SpoolDamage is a damaged range of a spool file, with why it is damaged;
// Offset -1 means the whole file (missing, cut to nothing, not a spool).
type SpoolDamage = spooldisk.Damage

// SpoolReport describes a spool directory: see [InspectSpool].
type SpoolReport struct {
	Dir     string
	Records int            // records waiting for the broker, also those behind damage
	Bytes   int64          // their encoded size
	Oldest  time.Time      // when the oldest of them was spooled; zero without records
	Topics  map[string]int // records per topic
	Damage  []SpoolDamage
	// OpenError is what [New] with [WithSpool] would report on the
	// directory (wrapping [ErrSpool]); nil when it would open it.
	OpenError error
	// TornBytes is the end of a commit interrupted by a crash, which New
	// cuts: never acknowledged to a caller.
	TornBytes int64
}

// InspectSpool reads the spool in dir without changing it: what it holds
// and what is damaged. It does not take the directory's lock; a producer
// running on it meanwhile may make the report inconsistent. This is what
// `relayspool inspect DIR` prints.
func InspectSpool(dir string) (SpoolReport, error) {
	rep := SpoolReport{Dir: dir, Topics: map[string]int{}}
	var bad []SpoolDamage
	r, err := spooldisk.Inspect(dir, func(ri spooldisk.RecordInfo) {
		m, ts, err := decodeSpoolRecord(ri.Data)
		if err != nil {
			bad = append(bad, SpoolDamage{File: ri.File, Offset: ri.Offset, Length: int64(len(ri.Data)), Reason: fmt.Sprintf("record %d: %v", ri.Seq, err)})
			return
		}
		rep.Records++
		rep.Bytes += int64(len(ri.Data))
		rep.Topics[m.Topic]++
		if rep.Oldest.IsZero() || ts.Before(rep.Oldest) {
			rep.Oldest = ts
		}
	})
	if err != nil {
		return rep, fmt.Errorf("%w: inspecting %s: %w", ErrSpool, dir, err)
	}
	rep.Damage = append(r.Damage, bad...)
	rep.TornBytes = r.TornBytes
	if r.OpenErr != nil {
		rep.OpenError = fmt.Errorf("%w: %w", ErrSpool, r.OpenErr)
	}
	return rep, nil
}

// SpoolSalvage is what [SalvageSpool] did.
type SpoolSalvage struct {
	Before SpoolReport // the directory before
	Kept   int         // records in the fresh spool
	// Aside is the directory, inside the spool directory, holding the old
	// files; "" when the spool was not damaged and was left alone.
	Aside string
}

// SalvageSpool rebuilds a damaged spool in dir: every record whose frame
// is intact goes into a fresh spool in dir, the old files move aside into
// dir/damaged-<UTC time>, and what could not be read is in the report's
// Before.Damage. A spool [New] opens is left alone. No producer may run on
// the directory meanwhile (its lock is taken). This is what
// `relayspool salvage DIR` does.
func SalvageSpool(dir string) (SpoolSalvage, error) {
	before, err := InspectSpool(dir)
	if err != nil {
		return SpoolSalvage{Before: before}, err
	}
	r, err := spooldisk.Salvage(dir, time.Now(), func(data []byte) error {
		_, _, err := decodeSpoolRecord(data)
		return err
	})
	if err != nil {
		return SpoolSalvage{Before: before}, fmt.Errorf("%w: salvaging %s: %w", ErrSpool, dir, err)
	}
	return SpoolSalvage{Before: before, Kept: r.Kept, Aside: r.Aside}, nil
}
