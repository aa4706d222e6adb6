package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// spoolWith leaves n messages in a spool in dir, as a producer that met a
// Kafka outage and shut down would.
func spoolWith(t *testing.T, dir string, n int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p, err := kafkasink.New(kafkasink.WithBrokers(addr), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		p.Produce(t.Context(), kafkasink.Message{Topic: "orders", Value: []byte(fmt.Sprintf(`{"n":%d}`, i))}, nil)
	}
	if err := p.Close(t.Context()); err != nil && !errors.Is(err, kafkasink.ErrSpooled) { // the records stay on disk
		t.Fatal(err)
	}
}

func relayspool(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := run(args, &out, &out)
	t.Logf("relayspool %s: exit %d\n%s", strings.Join(args, " "), code, out.String())
	return code, out.String()
}

// flipInRecord flips a byte of the record whose value is value, found in
// the spool's segment files by its bytes.
func flipInRecord(t *testing.T, dir, value string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "otelrelayer-spool-*.seg"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.Index(b, []byte(value)); i >= 0 {
			b[i+2] ^= 0xff
			if err := os.WriteFile(f, b, 0o600); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no record %s in %v", value, files)
}

func TestSalvageKeepsEveryValidRecord(t *testing.T) {
	const n = 200
	dir := t.TempDir()
	spoolWith(t, dir, n)
	if code, out := relayspool(t, "inspect", dir); code != 0 || !strings.Contains(out, "records  200") || !strings.Contains(out, "orders: 200 records") {
		t.Fatalf("inspect of a sound spool: exit %d, want 0 and its 200 records", code)
	}
	flipInRecord(t, dir, `{"n":100}`)
	if _, err := kafkasink.New(kafkasink.WithBrokers("127.0.0.1:1"), kafkasink.WithSpool(dir)); !errors.Is(err, kafkasink.ErrSpool) || !strings.Contains(err.Error(), "relayspool salvage "+dir) {
		t.Fatalf("New on the damaged spool: %v, want ErrSpool naming relayspool salvage", err)
	}
	code, out := relayspool(t, "inspect", dir)
	if code != 1 || !strings.Contains(out, "checksum mismatch") || !strings.Contains(out, "records  199") {
		t.Fatalf("inspect of a damaged spool: exit %d, want 1, the damage and the 199 intact records", code)
	}
	code, out = relayspool(t, "salvage", dir)
	if code != 0 || !strings.Contains(out, "199 records kept") || !strings.Contains(out, "damaged-") {
		t.Fatalf("salvage: exit %d, want 0 and 199 records kept", code)
	}
	if code, out := relayspool(t, "inspect", dir); code != 0 || !strings.Contains(out, "records  199") {
		t.Fatalf("inspect after salvage: exit %d, want 0 and 199 records", code)
	}
	p, err := kafkasink.New(kafkasink.WithBrokers("127.0.0.1:1"), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatalf("New after salvage: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	p.Close(ctx)
	if code, out := relayspool(t, "salvage", dir); code != 0 || !strings.Contains(out, "nothing to salvage") {
		t.Fatalf("salvage of a sound spool: exit %d, want 0 and nothing done", code)
	}
}

func TestUsageErrorsExitWithTwo(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	for _, args := range [][]string{nil, {"inspect"}, {"repair", t.TempDir()}, {"inspect", file}, {"-x"}} {
		if code, _ := relayspool(t, args...); code != 2 {
			t.Errorf("relayspool %q: exit %d, want 2", args, code)
		}
	}
}

func TestInspectEscapesWhatReachesTheTerminal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool\u202e\x1b[31m")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	spoolWith(t, dir, 1)
	_, out := relayspool(t, "inspect", dir)
	if strings.ContainsAny(out, "\u202e\x1b") || !strings.Contains(out, `\u202e\x1b[31m`) {
		t.Fatalf("inspect printed the directory's hidden characters as they are:\n%q", out)
	}
}
