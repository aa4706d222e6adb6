package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
	"github.com/otelrelayer/otelrelayer/examples/internal/demotest"
)

func TestConsole(t *testing.T) {
	var out demotest.Buffer
	if err := run(t.Context(), []string{"-console"}, &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []struct {
		text string
		n    int
	}{
		{"--- order_created key \"1\"\n", 1},
		{"--- order_created key \"2\"\n", 1},
		{"--- logging key \"", 4},
		{"    relayer-event-id: ", 6},
		{"POST /orders -> 201\n", 2},
		{"POST /orders -> 400\n", 1},
		{"Kafka at", 0},
		{"\x1b[", 0}, // no colour when stdout is not a terminal
	} {
		if n := strings.Count(got, want.text); n != want.n {
			t.Errorf("%q appears %d times, want %d", want.text, n, want.n)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", got)
	}
}

func TestKeepRunning(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out := &demotest.Buffer{}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"-keep-running"}, out) }()

	hint := out.WaitFor(t, regexp.MustCompile(`go run \./cmd/relaytail -brokers (\S+) -v`), 30*time.Second)
	// The broker still serves what the quickstart wrote.
	logs := demotest.ReadRequestLogs(t, strings.Split(hint[1], ","))
	if len(logs) != 4 {
		t.Errorf("%d request logs in the logging topic, want 4", len(logs))
	}
	cancel() // as SIGINT does
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after its context was canceled")
	}
}

func TestConsoleKeepRunning(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out := &demotest.Buffer{}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"-console", "-keep-running"}, out) }()

	api := out.WaitFor(t, regexp.MustCompile(`The orders API at (\S+) keeps running`), 30*time.Second)
	if status, err := send(t.Context(), api[1], "GET", "/orders/42", "", "", "quickstart-test"); err != nil || status != http.StatusOK {
		t.Fatalf("GET /orders/42: %d, %v", status, err)
	}
	out.WaitFor(t, regexp.MustCompile(`"path": "/orders/42"`), 30*time.Second)
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("run: %v", err)
	}
}

// TestSpool runs the quickstart with -spool: the messages go through a
// write-ahead log in the directory (the read-back goes to os.Stdout).
func TestSpool(t *testing.T) {
	t.Cleanup(func() { demo.SpoolDir = "" })
	dir := t.TempDir()
	var out demotest.Buffer
	if err := run(t.Context(), []string{"-spool", dir}, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); strings.Count(got, "POST /orders -> 201\n") != 2 {
		t.Errorf("output:\n%s", got)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) == 0 {
		t.Errorf("spool directory %s: %v, %d entries; want the spool's file", dir, err, len(entries))
	}
	if err := run(t.Context(), []string{"-console", "-spool", dir}, &out); err == nil || !strings.Contains(err.Error(), "-spool needs Kafka") {
		t.Errorf("-console -spool: %v, want an error saying -spool needs Kafka", err)
	}
}

// Colours follow NO_COLOR as relaytail's and relayer-dev's -color=auto do.
// /dev/null stands for the terminal: like one, it is a character device.
func TestColorFollowsNoColor(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	t.Setenv("NO_COLOR", "")
	if !color(f) {
		t.Error("no colour on a character device without NO_COLOR")
	}
	t.Setenv("NO_COLOR", "1")
	if color(f) {
		t.Error("colour despite NO_COLOR")
	}
	if color(&bytes.Buffer{}) {
		t.Error("colour on an output that is not a terminal")
	}
}
