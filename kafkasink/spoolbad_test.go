package kafkasink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// The spool's file in its directory (spoolFileName).
const spoolFile = "otelrelayer-spool.db"

// spoolWith leaves n messages in a spool directory, as a process that met
// a Kafka outage and shut down would.
func spoolWith(t *testing.T, dir string, n int) {
	t.Helper()
	p, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	dones := produceAll(t, p, "bad", n)
	if err := p.Close(t.Context()); err != nil {
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
			writeFile(t, filepath.Join(dir, spoolFile), []byte(strings.Repeat("garbage ", 2000)))
		}, true, "is not a spool file", 0},
		{"empty spool file", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, spoolFile), nil)
		}, true, "", 0},
		{"someone else's bbolt file", func(t *testing.T, dir string) {
			db, err := bolt.Open(filepath.Join(dir, spoolFile), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("theirs")); return err }); err != nil {
				t.Fatal(err)
			}
		}, true, "is a bbolt file but not a spool", 0},
		{"damaged record", func(t *testing.T, dir string) {
			db, err := bolt.Open(filepath.Join(dir, spoolFile), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket([]byte("records"))
				k, v := b.Cursor().Last()
				v = append([]byte(nil), v...)
				v[len(v)/2] ^= 0xff
				return b.Put(k, v)
			}); err != nil {
				t.Fatal(err)
			}
		}, false, "checksum mismatch", 0},
		{"torn last commit: its meta page garbled", func(t *testing.T, dir string) {
			// bbolt's last step of a commit is one of its two meta pages;
			// torn, the other one (the commit before) is used. Each of the
			// n records was its own commit (Produce waited for it): the last
			// one is lost, as a record whose Produce never returned would be.
			tearNewestMeta(t, filepath.Join(dir, spoolFile))
		}, false, "", 1},
		{"torn last write: file cut by 100 bytes", func(t *testing.T, dir string) {
			truncateBy(t, filepath.Join(dir, spoolFile), 100)
		}, false, "", 0},
		{"file cut to its meta pages", func(t *testing.T, dir string) {
			if err := os.Truncate(filepath.Join(dir, spoolFile), 8192); err != nil {
				t.Fatal(err)
			}
		}, false, "damaged", 0},
		{"file cut inside its meta pages", func(t *testing.T, dir string) {
			if err := os.Truncate(filepath.Join(dir, spoolFile), 1000); err != nil {
				t.Fatal(err)
			}
		}, false, "is not a spool file", 0},
		{"path is a file", func(t *testing.T, dir string) {
			if err := os.Remove(dir); err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, []byte("a file"))
		}, true, "not a directory", 0},
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
	if err := p.Close(t.Context()); err != nil {
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

// tearNewestMeta garbles the checksum of the bbolt meta page (of the two,
// at offsets 0 and one page) with the higher transaction ID, as a commit
// torn in its last write would leave it.
func tearNewestMeta(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A meta page: a 16-byte page header, then magic, version, page size,
	// flags (4 bytes each), the root bucket (16), the freelist and
	// high-water page IDs (8 each), the transaction ID (8), the checksum.
	const txidAt, sumAt = 16 + 16 + 16 + 16, 16 + 16 + 16 + 16 + 8
	head := make([]byte, 4096*2)
	if _, err := f.ReadAt(head, 0); err != nil {
		t.Fatal(err)
	}
	pageSize := int64(binary.LittleEndian.Uint32(head[16+8:]))
	var newest int64
	var txid uint64
	for _, at := range []int64{0, pageSize} {
		meta := make([]byte, sumAt+8)
		if _, err := f.ReadAt(meta, at); err != nil {
			t.Fatal(err)
		}
		if id := binary.LittleEndian.Uint64(meta[txidAt:]); id > txid {
			newest, txid = at, id
		}
	}
	if _, err := f.WriteAt([]byte{0xde, 0xad}, newest+sumAt); err != nil {
		t.Fatal(err)
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
