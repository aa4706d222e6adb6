package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

const (
	lockName     = "otelrelayer-spool.lock"
	manifestName = "otelrelayer-spool.manifest"
	// legacyName is the bbolt file of otelrelayer's first spool format.
	legacyName = "otelrelayer-spool.db"
	segPrefix  = "otelrelayer-spool-"
	segSuffix  = ".seg"
	tmpSuffix  = ".tmp"

	// DefaultSegmentSize is a segment's size unless a commit needs more:
	// zeroing it takes about 15 ms here, in the background.
	DefaultSegmentSize = 4 << 20
	// minSegmentSize is the smallest a segment gets on a nearly full disk.
	minSegmentSize = 64 << 10
)

func segmentName(n uint64) string { return fmt.Sprintf("%s%016x%s", segPrefix, n, segSuffix) }

func parseSegmentName(name string) (uint64, bool) {
	hex, ok := strings.CutPrefix(name, segPrefix)
	if !ok {
		return 0, false
	}
	if hex, ok = strings.CutSuffix(hex, segSuffix); !ok || len(hex) != 16 {
		return 0, false
	}
	n, err := strconv.ParseUint(hex, 16, 64)
	return n, err == nil
}

// IsSpoolFile reports whether name is one of the files a spool keeps in its
// directory (the legacy bbolt file included).
func IsSpoolFile(name string) bool {
	_, seg := parseSegmentName(name)
	return seg || name == manifestName || name == legacyName || name == lockName
}

// disk does the store's file operations, counting fsyncs and running the
// failpoint before each named step.
type disk struct {
	dir       string
	failpoint func(point string) error
	syncs     *counters
}

func (d *disk) fail(point string) error {
	if d.failpoint == nil {
		return nil
	}
	return d.failpoint(point)
}

func (d *disk) path(name string) string { return filepath.Join(d.dir, name) }

// syncDir fsyncs the directory: a created, renamed or removed file's name
// is durable only then.
func (d *disk) syncDir(point string) error {
	if err := d.fail("dirsync:" + point); err != nil {
		return err
	}
	f, err := os.Open(d.dir)
	if err != nil {
		return err
	}
	defer f.Close()
	d.syncs.background.Add(1)
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) { // some file systems refuse a directory fsync
		return fmt.Errorf("fsync of %s: %w", d.dir, err)
	}
	return nil
}

// createSegment writes segment n full of zeros, at size or, on a disk too
// full for it, at a smaller size no smaller than need, and names it.
func (d *disk) createSegment(n uint64, size, need int64) (*os.File, int64, error) {
	for {
		f, err := d.writeSegment(n, size)
		if err == nil {
			return f, size, nil
		}
		if !errors.Is(err, syscall.ENOSPC) || size/2 < max(minSegmentSize, need) {
			return nil, 0, err
		}
		size /= 2
	}
}

func (d *disk) writeSegment(n uint64, size int64) (*os.File, error) {
	final := d.path(segmentName(n))
	tmp := final + tmpSuffix
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	err = zeroFill(f, segmentHeader{number: n, size: size}, size)
	if err == nil {
		err = d.fail("segment:zeroed")
	}
	if err == nil {
		d.syncs.background.Add(1)
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err == nil {
		err = d.syncDir("segment")
	}
	if err != nil {
		f.Close()
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("creating %s: %w", final, err)
	}
	return f, nil
}

func zeroFill(f *os.File, h segmentHeader, size int64) error {
	chunk := make([]byte, min(size, 1<<20))
	for off := int64(0); off < size; off += int64(len(chunk)) {
		if _, err := f.WriteAt(chunk[:min(int64(len(chunk)), size-off)], off); err != nil {
			return err
		}
	}
	_, err := f.WriteAt(h.append(nil), 0)
	return err
}

// manifest names the live segments: [first, last] but those removed. Its
// presence says the spool exists, so that a segment cut to nothing or
// removed by someone else is damage.
type manifest struct {
	first, last uint64
	removed     []uint64 // removed from the range, ascending: emptied around a record still waiting
}

var manifestMagic = [8]byte{'O', 'T', 'R', 'S', 'P', 'M', 'A', 'N'}

// names reports whether segment n is live.
func (m manifest) names(n uint64) bool {
	_, gone := slices.BinarySearch(m.removed, n)
	return m.first <= n && n <= m.last && !gone
}

// withFirst moves the range's start to first, forgetting removals before.
func (m manifest) withFirst(first uint64) manifest {
	m.first = first
	m.removed = slices.DeleteFunc(slices.Clone(m.removed), func(n uint64) bool { return n < first })
	return m
}

func (m manifest) bytes() []byte {
	b := append([]byte(nil), manifestMagic[:]...)
	b = binary.LittleEndian.AppendUint16(b, formatVersion)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint64(b, m.first)
	b = binary.LittleEndian.AppendUint64(b, m.last)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(m.removed)))
	for _, n := range m.removed {
		b = binary.LittleEndian.AppendUint64(b, n)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

func parseManifest(b []byte) (manifest, error) {
	bad := fmt.Errorf("%d bytes that are not a spool manifest", len(b))
	if len(b) < 36 || [8]byte(b[:8]) != manifestMagic || crc32.Checksum(b[:len(b)-4], crcTable) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return manifest{}, bad
	}
	if v := binary.LittleEndian.Uint16(b[8:]); v != formatVersion {
		return manifest{}, fmt.Errorf("manifest format version %d, want %d", v, formatVersion)
	}
	m := manifest{first: binary.LittleEndian.Uint64(b[12:]), last: binary.LittleEndian.Uint64(b[20:])}
	count := int(binary.LittleEndian.Uint32(b[28:]))
	if len(b) != 36+8*count {
		return manifest{}, bad
	}
	for i := range count {
		m.removed = append(m.removed, binary.LittleEndian.Uint64(b[32+8*i:]))
	}
	if m.first == 0 || m.last+1 < m.first || !slices.IsSorted(m.removed) {
		return manifest{}, fmt.Errorf("manifest names segments %d to %d but %v", m.first, m.last, m.removed)
	}
	return m, nil
}

// writeManifest replaces the manifest atomically: a temporary file,
// fsynced, renamed over it, and the directory fsynced.
func (d *disk) writeManifest(m manifest) error {
	final := d.path(manifestName)
	tmp := final + tmpSuffix
	err := os.WriteFile(tmp, m.bytes(), 0o600)
	if err == nil {
		err = d.fail("manifest:written")
	}
	if err == nil {
		err = syncFile(tmp, d.syncs)
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err == nil {
		err = d.syncDir("manifest")
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", final, err)
	}
	return nil
}

func syncFile(path string, c *counters) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	c.background.Add(1)
	return f.Sync()
}
