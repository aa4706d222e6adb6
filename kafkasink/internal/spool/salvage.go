package spool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SalvageReport is what Salvage did.
type SalvageReport struct {
	Before Report
	Kept   int    // records written into the fresh spool
	Aside  string // the directory the old files were moved to, "" when nothing was done
	// Rejected are record frames intact on disk whose data check refused.
	Rejected []Damage
}

// Salvage rebuilds a damaged spool: it writes every live record whose
// frame is intact (and that check accepts, when check is not nil) into a
// fresh spool, moves the old files into DIR/damaged-<time> and puts the
// fresh spool in their place. A spool Open accepts is left alone. It takes
// the directory's lock: no producer may run on it meanwhile.
func Salvage(dir string, now time.Time, check func([]byte) error) (SalvageReport, error) {
	var rep SalvageReport
	lockFile, err := lock(filepath.Join(dir, lockName))
	if err != nil {
		return rep, err
	}
	defer lockFile.Close()
	var recs []RecordInfo
	rep.Before, err = Inspect(dir, func(r RecordInfo) { recs = append(recs, r) })
	if err != nil || rep.Before.OpenErr == nil {
		return rep, err // Open takes it as it is (a torn tail included)
	}
	stamp := now.UTC().Format("20060102T150405Z")
	fresh := filepath.Join(dir, ".salvage-"+stamp)
	if err := os.Mkdir(fresh, 0o700); err != nil {
		return rep, err
	}
	defer os.RemoveAll(fresh)
	st, _, err := Open(fresh, Options{})
	if err != nil {
		return rep, err
	}
	batch := make([]Record, 0, 256)
	for i, r := range recs {
		if check != nil {
			if err := check(r.Data); err != nil {
				rep.Rejected = append(rep.Rejected, Damage{File: r.File, Offset: r.Offset, Length: dataOffset + int64(len(r.Data)), Reason: fmt.Sprintf("record %d: %v", r.Seq, err)})
				continue
			}
		}
		batch = append(batch, Record{Seq: r.Seq, Data: r.Data})
		if len(batch) == cap(batch) || i == len(recs)-1 {
			if err := st.Commit(batch, nil); err != nil {
				st.Close()
				return rep, err
			}
			rep.Kept += len(batch)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		if err := st.Commit(batch, nil); err != nil {
			st.Close()
			return rep, err
		}
		rep.Kept += len(batch)
	}
	if err := st.Close(); err != nil {
		return rep, err
	}
	rep.Aside = filepath.Join(dir, "damaged-"+stamp)
	return rep, swap(dir, fresh, rep.Aside)
}

// swap moves the spool files of dir into aside, then those of fresh into
// dir, fsyncing each directory. A crash in between leaves the old files in
// aside, where a second Salvage of aside finds them.
func swap(dir, fresh, aside string) error {
	if err := os.Mkdir(aside, 0o700); err != nil {
		return err
	}
	if err := moveSpoolFiles(dir, aside); err != nil {
		return err
	}
	if err := moveSpoolFiles(fresh, dir); err != nil {
		return err
	}
	return errors.Join(syncPath(aside), syncPath(dir))
}

func moveSpoolFiles(from, to string) error {
	entries, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if name := e.Name(); IsSpoolFile(name) && name != lockName {
			if err := os.Rename(filepath.Join(from, name), filepath.Join(to, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
