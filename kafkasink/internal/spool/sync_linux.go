package spool

import (
	"os"
	"syscall"
)

// fdatasync makes f's data durable, and its size only if it changed: a
// commit into a pre-allocated segment writes no metadata.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
