package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// relayviewBinary is the relayview command, built once per test binary
// from the module this example depends on: the browser tests drive the
// command users run.
var relayviewBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "relayview")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "relayview")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/otelrelayer/otelrelayer/cmd/relayview").CombinedOutput()
	if err != nil {
		return "", &buildError{err, string(out)}
	}
	return bin, nil
})

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "building relayview: " + e.err.Error() + "\n" + e.out }

var viewURL = regexp.MustCompile(`web view at (http://127\.0\.0\.1:\d+/)`)

// startView runs relayview on loopback, reading brokers, with the extra
// flags args, and returns its URL. The command stops with the test.
func startView(t *testing.T, brokers []string, args ...string) string {
	t.Helper()
	bin, err := relayviewBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"-brokers", strings.Join(brokers, ","), "-ui", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if s := stderr.String(); s != "" {
			t.Logf("relayview's stderr:\n%s", s)
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := viewURL.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(30 * time.Second):
		t.Fatalf("relayview did not say where it serves within 30s")
		return ""
	}
}
