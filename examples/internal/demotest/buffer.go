package demotest

import (
	"bytes"
	"regexp"
	"sync"
	"testing"
	"time"
)

// Buffer is an output written by a program's goroutines and read by the
// test. Its zero value is empty and ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WaitFor waits up to within for re to match the output and returns the
// match and its submatches; it fails the test when re does not match in
// time.
func (b *Buffer) WaitFor(t testing.TB, re *regexp.Regexp, within time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(b.String()); m != nil {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s in the output within %v:\n%s", re, within, b.String())
	return nil
}
