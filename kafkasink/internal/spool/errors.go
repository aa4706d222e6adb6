package spool

import (
	"errors"
	"fmt"
)

var (
	// ErrDamaged reports a spool whose files lost or changed records: Open
	// refuses it, and Salvage keeps what is intact.
	ErrDamaged = errors.New("spool damaged")
	// ErrLocked reports a spool directory held by another process.
	ErrLocked = errors.New("spool in use by another producer")
	// ErrNotSpool reports a file where a spool file should be that is not
	// one.
	ErrNotSpool = errors.New("foreign file in the spool directory")
	// ErrClosed reports a call after Close.
	ErrClosed = errors.New("spool closed")
	// ErrBroken reports a commit after a write the store could not undo
	// failed: the disk's state is unknown, the store takes nothing more.
	ErrBroken = errors.New("spool unusable after a failed write")
)

// Damage is a range of a segment that holds no valid frame, or a file
// that is missing, cut or unreadable (Offset -1 for the whole file).
type Damage struct {
	File   string
	Offset int64
	Length int64
	Reason string
}

func (d Damage) String() string {
	if d.Offset < 0 {
		return fmt.Sprintf("%s: %s", d.File, d.Reason)
	}
	return fmt.Sprintf("%s at %d (%d bytes): %s", d.File, d.Offset, d.Length, d.Reason)
}

// damaged returns an ErrDamaged error naming what and the salvage command.
func damaged(dir, what string) error {
	return fmt.Errorf("%w: %s; records after it cannot be trusted, so nothing is produced from %s: run `relayspool inspect %s` to see the damage and `relayspool salvage %s` to keep every valid record", ErrDamaged, what, dir, dir, dir)
}
