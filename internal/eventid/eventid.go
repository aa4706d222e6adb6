// Package eventid makes the UUIDv7 of every produced message (RFC 9562): a
// 48-bit Unix millisecond timestamp, then 74 random bits. The random bits
// come from math/rand/v2's per-thread ChaCha8 generator, seeded by the OS:
// as unique as crypto/rand's for this purpose, without a system call or a
// shared lock per message.
package eventid

import (
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
)

// New returns a UUIDv7 for the time t.
func New(t time.Time) uuid.UUID {
	var id uuid.UUID
	ms := uint64(t.UnixMilli())
	id[0], id[1], id[2] = byte(ms>>40), byte(ms>>32), byte(ms>>24)
	id[3], id[4], id[5] = byte(ms>>16), byte(ms>>8), byte(ms)
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := range 2 {
		id[6+i] = byte(hi >> (8 * i))
	}
	for i := range 8 {
		id[8+i] = byte(lo >> (8 * i))
	}
	id[6] = id[6]&0x0f | 0x70 // version 7
	id[8] = id[8]&0x3f | 0x80 // variant RFC 9562
	return id
}

// TextLen is the length of the canonical text form.
const TextLen = 36

// AppendText appends id in its canonical form, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
func AppendText(dst []byte, id uuid.UUID) []byte {
	const hex = "0123456789abcdef"
	for i, b := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hex[b>>4], hex[b&0xf])
	}
	return dst
}
