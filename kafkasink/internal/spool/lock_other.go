//go:build !unix

package spool

import "os"

// lock opens the lock file; without flock, nothing stops a second process.
func lock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
