package spool

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

const (
	headerSize      = 32
	frameHeaderSize = 9 // length u32 | crc u32 | kind u8
	commitPayload   = 13
	formatVersion   = 1

	kindCommit = 1
	kindRecord = 2
	kindDelete = 3

	flagClosed = 1

	// maxFrame bounds a frame's declared length: a longer one is damage,
	// not an allocation.
	maxFrame = 1 << 30
)

var (
	magic    = [8]byte{'O', 'T', 'R', 'S', 'P', 'O', 'O', 'L'}
	crcTable = crc32.MakeTable(crc32.Castagnoli)
)

// segmentHeader is the first headerSize bytes of a segment.
type segmentHeader struct {
	number uint64
	size   int64 // the file's size as created
}

func (h segmentHeader) append(b []byte) []byte {
	b = append(b, magic[:]...)
	b = binary.LittleEndian.AppendUint16(b, formatVersion)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint64(b, h.number)
	b = binary.LittleEndian.AppendUint64(b, uint64(h.size))
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[len(b)-28:], crcTable))
}

// parseHeader reads a segment header, or says why b does not start with one.
func parseHeader(b []byte) (segmentHeader, error) {
	if len(b) < headerSize {
		return segmentHeader{}, fmt.Errorf("%d bytes, shorter than a segment header", len(b))
	}
	if [8]byte(b[:8]) != magic {
		return segmentHeader{}, fmt.Errorf("no spool segment header")
	}
	if crc32.Checksum(b[:28], crcTable) != binary.LittleEndian.Uint32(b[28:]) {
		return segmentHeader{}, fmt.Errorf("segment header checksum mismatch")
	}
	if v := binary.LittleEndian.Uint16(b[8:]); v != formatVersion {
		return segmentHeader{}, fmt.Errorf("segment format version %d, want %d", v, formatVersion)
	}
	h := segmentHeader{number: binary.LittleEndian.Uint64(b[12:]), size: int64(binary.LittleEndian.Uint64(b[20:]))}
	if h.size < headerSize {
		return segmentHeader{}, fmt.Errorf("segment size %d", h.size)
	}
	return h, nil
}

// appendFrame appends one frame of kind around payload, which fill appends.
func appendFrame(b []byte, kind byte, fill func([]byte) []byte) []byte {
	at := len(b)
	b = append(b, make([]byte, frameHeaderSize)...)
	b = fill(b)
	binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at-frameHeaderSize))
	b[at+8] = kind
	binary.LittleEndian.PutUint32(b[at+4:], frameSum(b[at:at+4], b[at+8:]))
	return b
}

func frameSum(length, rest []byte) uint32 {
	return crc32.Update(crc32.Checksum(length, crcTable), crcTable, rest)
}

// frame is one frame read back: where it is and what it holds.
type frame struct {
	off     int64 // in its segment
	size    int64 // header included
	kind    byte
	payload []byte
}

// frameProblem says why no valid frame starts at b[0:] ("" when one does).
// zero reports an all-zero frame header: the end of the data, if nothing
// follows.
func parseFrame(b []byte) (f frame, zero bool, problem string) {
	if len(b) < frameHeaderSize {
		for _, c := range b {
			if c != 0 {
				return f, false, "a frame header cut by the end of the file"
			}
		}
		return f, true, "the end of the file"
	}
	n := binary.LittleEndian.Uint32(b)
	sum := binary.LittleEndian.Uint32(b[4:])
	kind := b[8]
	if n == 0 && sum == 0 && kind == 0 {
		return f, true, ""
	}
	if n > maxFrame || int64(n) > int64(len(b)-frameHeaderSize) {
		return f, false, fmt.Sprintf("a frame of %d bytes past the end of the file", n)
	}
	end := frameHeaderSize + int(n)
	if frameSum(b[:4], b[8:end]) != sum {
		return f, false, "checksum mismatch"
	}
	switch {
	case kind == kindCommit && n != commitPayload,
		kind == kindRecord && n < 8,
		kind == kindDelete && n < 1,
		kind < kindCommit || kind > kindDelete:
		return f, false, fmt.Sprintf("a frame of kind %d and %d bytes", kind, n)
	}
	return frame{size: int64(end), kind: kind, payload: b[frameHeaderSize:end]}, false, ""
}

// commitFrame is a commit frame's payload.
type commitFrame struct {
	seq     uint64
	bodyLen int64
	flags   byte
}

func appendCommit(b []byte, c commitFrame) []byte {
	return appendFrame(b, kindCommit, func(b []byte) []byte {
		b = binary.LittleEndian.AppendUint64(b, c.seq)
		b = binary.LittleEndian.AppendUint32(b, uint32(c.bodyLen))
		return append(b, c.flags)
	})
}

func parseCommit(p []byte) commitFrame {
	return commitFrame{seq: binary.LittleEndian.Uint64(p), bodyLen: int64(binary.LittleEndian.Uint32(p[8:])), flags: p[12]}
}

func appendRecord(b []byte, r Record) []byte {
	return appendFrame(b, kindRecord, func(b []byte) []byte {
		b = binary.LittleEndian.AppendUint64(b, r.Seq)
		return append(b, r.Data...)
	})
}

// appendDelete appends seqs, which must be sorted and distinct.
func appendDelete(b []byte, seqs []uint64) []byte {
	return appendFrame(b, kindDelete, func(b []byte) []byte {
		b = binary.AppendUvarint(b, uint64(len(seqs)))
		var prev uint64
		for _, s := range seqs {
			b = binary.AppendUvarint(b, s-prev)
			prev = s
		}
		return b
	})
}

// parseDelete returns the sequences of a delete frame's payload.
func parseDelete(p []byte) ([]uint64, error) {
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(len(p)) {
		return nil, fmt.Errorf("a delete frame with a bad count")
	}
	p = p[k:]
	seqs := make([]uint64, 0, n)
	var prev uint64
	for range n {
		d, k := binary.Uvarint(p)
		if k <= 0 {
			return nil, fmt.Errorf("a delete frame cut short")
		}
		p = p[k:]
		prev += d
		seqs = append(seqs, prev)
	}
	if len(p) != 0 {
		return nil, fmt.Errorf("a delete frame with %d bytes left over", len(p))
	}
	return seqs, nil
}
