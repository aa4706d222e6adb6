package kafkasink

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"time"
)

// A spooled record is one value in the spool's store, keyed by its sequence
// number. Its layout, all lengths as uvarints:
//
//	version (1 byte) | timestamp (unix ms) | topic | key | value | header count | headers | crc32c
//
// where topic, key, value and each header key and value are a length
// followed by the bytes; a key or header value length is stored plus one so
// that 0 keeps a nil slice apart from an empty one (franz-go partitions a nil
// key differently). The CRC-32C covers everything before it: the store
// guarantees whole transactions, the checksum that a value is ours.
const spoolRecordVersion = 1

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errSpoolRecord reports a stored value that is not a spooled record.
var errSpoolRecord = errors.New("not a spooled record")

// encodeSpoolRecord returns m in the spool's record layout.
func encodeSpoolRecord(m Message, ts time.Time) []byte {
	n := 1 + 4 + 10 + 5*4 + len(m.Topic) + len(m.Key) + len(m.Value)
	for _, h := range m.Headers {
		n += 10 + len(h.Key) + len(h.Value)
	}
	b := make([]byte, 0, n)
	b = append(b, spoolRecordVersion)
	b = binary.AppendUvarint(b, uint64(ts.UnixMilli()))
	b = appendBytes(b, []byte(m.Topic), false)
	b = appendBytes(b, m.Key, true)
	b = appendBytes(b, m.Value, false)
	b = binary.AppendUvarint(b, uint64(len(m.Headers)))
	for _, h := range m.Headers {
		b = appendBytes(b, []byte(h.Key), false)
		b = appendBytes(b, h.Value, true)
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

func appendBytes(b, v []byte, keepNil bool) []byte {
	n := uint64(len(v))
	if keepNil && v != nil {
		n++
	}
	b = binary.AppendUvarint(b, n)
	return append(b, v...)
}

// decodeSpoolRecord returns the message stored in data. The message's slices
// share one copy of data, so data may be reused once it returns.
func decodeSpoolRecord(data []byte) (Message, time.Time, error) {
	if len(data) < 5 {
		return Message{}, time.Time{}, fmt.Errorf("%w: %d bytes", errSpoolRecord, len(data))
	}
	body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, crcTable) != sum {
		return Message{}, time.Time{}, fmt.Errorf("%w: checksum mismatch", errSpoolRecord)
	}
	if body[0] != spoolRecordVersion {
		return Message{}, time.Time{}, fmt.Errorf("%w: format version %d, want %d", errSpoolRecord, body[0], spoolRecordVersion)
	}
	d := spoolDecoder{b: append([]byte(nil), body[1:]...)}
	ts := time.UnixMilli(int64(d.uvarint()))
	var m Message
	m.Topic = string(d.bytes(false))
	m.Key = d.bytes(true)
	m.Value = d.bytes(false)
	count := d.uvarint()
	if d.err == nil && count > uint64(len(d.b)) {
		d.err = fmt.Errorf("%w: %d headers in %d bytes", errSpoolRecord, count, len(d.b))
	}
	if d.err == nil && count > 0 {
		m.Headers = make([]Header, count)
		for i := range m.Headers {
			m.Headers[i].Key = string(d.bytes(false))
			m.Headers[i].Value = d.bytes(true)
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%w: %d bytes left over", errSpoolRecord, len(d.b))
	}
	if d.err != nil {
		return Message{}, time.Time{}, d.err
	}
	return m, ts, nil
}

type spoolDecoder struct {
	b   []byte
	err error
}

func (d *spoolDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("%w: bad length", errSpoolRecord)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *spoolDecoder) bytes(keepNil bool) []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if keepNil {
		if n == 0 {
			return nil
		}
		n--
	}
	if n > uint64(len(d.b)) {
		d.err = fmt.Errorf("%w: a field of %d bytes in %d", errSpoolRecord, n, len(d.b))
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}
