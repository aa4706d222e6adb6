//go:build unix

package cli_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
)

// The password is the first line of -sasl-password-file, which need not
// be a regular file: a pipe from a password manager that is kept open, or
// a device that never ends (/dev/zero would be read until memory runs
// out). The tools read the first line and stop there.
func TestPasswordFileIsReadToItsFirstLineOnly(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pw")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO:", err)
	}
	release := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		_, _ = w.WriteString("s3cret\n")
		<-release // a writer that keeps the pipe open
	}()
	t.Cleanup(func() { close(release); <-writerDone })

	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := cli.RegisterConnFlags(fs)
	if err := fs.Parse([]string{"-brokers", "a:1", "-sasl-mechanism", "PLAIN", "-sasl-user", "u", "-sasl-password-file", fifo}); err != nil {
		t.Fatal(err)
	}
	type result struct {
		s   string
		err error
	}
	got := make(chan result, 1)
	go func() {
		conn, err := f.Connection(nil)
		if err != nil {
			got <- result{err: err}
			return
		}
		got <- result{s: conn.String()}
	}()
	select {
	case r := <-got:
		if r.err != nil || !strings.Contains(r.s, "SASL PLAIN as u") {
			t.Errorf("Connection: %q, %v", r.s, r.err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("reading the password file did not stop at its first line: still reading after 3s")
	}
}
