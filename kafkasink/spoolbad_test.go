package kafkasink_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// The spool's first segment file in its directory, and the file of the
// spool's first, bbolt, format.
const (
	firstSegment    = "otelrelayer-spool-0000000000000001.seg"
	legacySpoolFile = "otelrelayer-spool.db"
)

// spoolWith leaves n messages in a spool directory, as a process that met
// a Kafka outage and shut down would.
func spoolWith(t *testing.T, dir string, n int) {
	t.Helper()
	p, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	dones := produceAll(t, p, "bad", n)
	// Close says the records stay on disk (ErrSpooled, with lane spool's
	// Close) or nil (before it): both leave them for the next New.
	if err := p.Close(t.Context()); err != nil && !errors.Is(err, kafkasink.ErrSpooled) {
		t.Fatal(err)
	}
	for _, d := range dones {
		if err := d.wait(t); !errors.Is(err, kafkasink.ErrSpooled) {
			t.Fatalf("done(%v), want ErrSpooled", err)
		}
	}
}

// recovered opens dir with a broker and returns how many of the n
// messages spoolWith left reached it, or New's error.
func recovered(t *testing.T, dir string, n int) (int, error) {
	t.Helper()
	seeds := otelrelayertest.Cluster(t)
	p, err := kafkasink.New(kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	if err := p.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return len(consume(t, seeds, "bad", n)), nil
}

func TestSpoolBadInput(t *testing.T) {
	const n = 200
	tests := []struct {
		name string
		// damage prepares dir, which holds n spooled messages unless fresh.
		damage   func(t *testing.T, dir string)
		fresh    bool
		wantText string // New fails with ErrSpool saying this; "" means the records are recovered
		lost     int    // records the damage took, of the n
	}{
		{"foreign file beside the spool", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "README"), []byte("not ours"))
		}, false, "", 0},
		{"garbage spool file", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, firstSegment), []byte(strings.Repeat("garbage ", 2000)))
		}, true, "is not a spool file", 0},
		{"empty spool file", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, firstSegment), nil)
		}, true, "", 0},
		{"someone else's bbolt file", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, legacySpoolFile), bboltMetaPage())
		}, true, "is a bbolt file but not a spool", 0},
		{"damaged record", func(t *testing.T, dir string) {
			flipRecordByte(t, dir, -1)
		}, false, "checksum mismatch", 0},
		{"torn last commit", func(t *testing.T, dir string) {
			// Each of the n records was its own commit (Produce waited for
			// it): a crash in the last one's write leaves part of it, and
			// no close frame. The last one is lost, as a record whose
			// Produce never returned would be.
			tearLastRecord(t, dir)
		}, false, "", 1},
		{"torn last write: file cut by 100 bytes", func(t *testing.T, dir string) {
			truncateBy(t, segmentPath(t, dir), 100)
		}, false, "", 0},
		{"file cut in half", func(t *testing.T, dir string) {
			cutRecords(t, dir, 0.5)
		}, false, "damaged", 0},
		{"file cut inside its header", func(t *testing.T, dir string) {
			if err := os.Truncate(segmentPath(t, dir), 16); err != nil {
				t.Fatal(err)
			}
		}, false, "is not a spool file", 0},
		{"path is a file", func(t *testing.T, dir string) {
			if err := os.Remove(dir); err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, []byte("a file"))
		}, true, "not a directory", 0},
		{"file truncated to 0 bytes", func(t *testing.T, dir string) {
			if err := os.Truncate(segmentPath(t, dir), 0); err != nil {
				t.Fatal(err)
			}
		}, false, "relayspool salvage", 0},
		{"file cut to its header", func(t *testing.T, dir string) {
			if err := os.Truncate(segmentPath(t, dir), 32); err != nil {
				t.Fatal(err)
			}
		}, false, "relayspool salvage", 0},
		{"flipped byte in a middle record", func(t *testing.T, dir string) {
			flipRecordByte(t, dir, n/2)
		}, false, "relayspool salvage", 0},
		{"segment file removed", func(t *testing.T, dir string) {
			if err := os.Remove(segmentPath(t, dir)); err != nil {
				t.Fatal(err)
			}
		}, false, "relayspool salvage", 0},
		{"manifest removed", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "otelrelayer-spool.manifest")); err != nil {
				t.Fatal(err)
			}
		}, false, "relayspool salvage", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "spool")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			want := n - tt.lost
			if tt.fresh {
				want = 0
			} else {
				spoolWith(t, dir, n)
			}
			tt.damage(t, dir)
			got, err := recovered(t, dir, want)
			if tt.wantText == "" {
				if err != nil {
					t.Fatalf("New: %v, want every record recovered", err)
				}
				if got != want {
					t.Fatalf("recovered %d records, want %d", got, want)
				}
				return
			}
			if !errors.Is(err, kafkasink.ErrSpool) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("New() error = %v, want ErrSpool saying %q", err, tt.wantText)
			}
			t.Logf("New: %v", err)
		})
	}
}

func TestSpoolDirectoryHeldByAnotherProducer(t *testing.T) {
	dir := t.TempDir()
	newUnreachableProducer(t, kafkasink.WithSpool(dir))
	p, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithSpool(dir))
	if !errors.Is(err, kafkasink.ErrSpool) || !strings.Contains(err.Error(), "in use by another producer") {
		t.Fatalf("second New on %s: %v, want ErrSpool saying it is in use", dir, err)
	}
	if p != nil {
		t.Error("New returned a producer with its error")
	}
}

func TestSpoolDirectoryNotWritable(t *testing.T) {
	// Root ignores permission bits; an immutable directory stops root too.
	dir := t.TempDir()
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot make %s immutable (chattr +i: %v %s): no honest way to refuse writes here", dir, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("chattr", "-i", dir).Run() })
	_, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithSpool(dir))
	if !errors.Is(err, kafkasink.ErrSpool) || !strings.Contains(err.Error(), "operation not permitted") {
		t.Fatalf("New on an immutable directory: %v, want ErrSpool saying why", err)
	}
	t.Logf("New: %v", err)
}

func TestSpoolOnAFullDisk(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=256k"); err != nil {
		t.Skipf("cannot mount a small tmpfs on %s (%v): no honest way to fill a disk here", dir, err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, 0) })
	p, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	accepted, i := 0, 0
	var failure error
	for ; failure == nil && i < 100_000; i++ {
		d := newDoneRecorder()
		p.Produce(t.Context(), spoolMessage("bad", i), d.done)
		select {
		case <-d.called:
			if !errors.Is(d.err, kafkasink.ErrSpooled) {
				failure = d.err
				continue
			}
		default:
		}
		accepted++
	}
	if !errors.Is(failure, kafkasink.ErrSpool) || !strings.Contains(failure.Error(), "no space left on device") {
		t.Fatalf("after %d messages on a full disk: %v, want ErrSpool saying the disk is full", i, failure)
	}
	t.Logf("message %d: %v", i-1, failure)
	if err := p.Close(t.Context()); err != nil && !errors.Is(err, kafkasink.ErrSpooled) {
		t.Fatalf("Close: %v", err)
	}
	got, err := recovered(t, dir, accepted)
	if err != nil || got != accepted {
		t.Fatalf("recovered %d (%v), want the %d accepted before the disk was full", got, err, accepted)
	}
}

// TestSpoolFull fills a spool of 4096 bytes with calls that must not wait:
// the call past nine tenths fails with ErrSpoolFull, and a reserved call
// still gets in.
func TestSpoolFull(t *testing.T) {
	p := newUnreachableProducer(t, kafkasink.WithSpool(t.TempDir()), kafkasink.WithSpoolMaxBytes(4096))
	for i := 0; ; i++ {
		d := newDoneRecorder()
		p.Produce(canceledContext(t), spoolMessage("full", i), d.done)
		select {
		case <-d.called:
			if errors.Is(d.err, kafkasink.ErrSpooled) {
				continue
			}
			if !errors.Is(d.err, kafkasink.ErrSpoolFull) || !errors.Is(d.err, kafkasink.ErrBufferFull) {
				t.Fatalf("message %d: %v, want ErrSpoolFull (an ErrBufferFull)", i, d.err)
			}
			t.Logf("message %d: %v", i, d.err)
			// The reserve (a tenth of the bound) is left for request logs.
			r := newDoneRecorder()
			p.Produce(kafkasink.Reserved(canceledContext(t)), spoolMessage("full", i), r.done)
			select {
			case <-r.called:
				t.Fatalf("a reserved message on the full spool: done(%v), want it spooled", r.err)
			default:
			}
			return
		default:
		}
		if i > 1000 {
			t.Fatal("a spool of 4096 bytes took 1000 messages")
		}
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func truncateBy(t *testing.T, path string, n int64) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()-n); err != nil {
		t.Fatal(err)
	}
}
