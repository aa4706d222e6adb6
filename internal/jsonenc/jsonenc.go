// Package jsonenc appends JSON to byte slices without reflection for the
// shapes otelrelayer writes on its hot paths, and falls back to encoding/json
// for everything else, so each payload is encoded exactly once.
package jsonenc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// AppendString appends s as a quoted JSON string. Escaping follows
// encoding/json without HTML escaping: quotes, backslashes, control
// characters, U+2028 and U+2029 are escaped; invalid UTF-8 becomes U+FFFD.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs a look of its own: the
		// usual key, topic, path or user agent is copied at one compare
		// per word.
		if i+8 <= len(s) && plainWord(s[i:i+8]) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// plainWord reports whether the 8 bytes of w are ASCII and need no escape:
// none is a control character, '"', '\\' or at or above 0x80. It may say
// false for a plain word after a byte that is not (the subtraction's
// borrow); the caller then looks byte by byte, which is only slower.
func plainWord(w string) bool {
	x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - 0x20*ones) & ^x   // a byte below 0x20 (or the borrow of one)
	q, b := x^'"'*ones, x^'\\'*ones // a zero byte where x holds '"', '\\'
	quote := (q - ones) & ^q
	slash := (b - ones) & ^b
	return (x|below|quote|slash)&highs == 0
}

// TimeLayout is the timestamp layout of the wire format: UTC, microseconds,
// a literal Z, as the Python library wrote it.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// AppendTime appends t in UTC as a quoted TimeLayout string. It formats by
// arithmetic rather than with time.Format: it runs for every line. The
// date and time up to the second are kept from the latest second formatted,
// which most calls share.
func AppendTime(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	// Years 1970 to 9999 by arithmetic; time.Format for the rest.
	if sec < 0 || sec >= 253402300800 {
		dst = append(dst, '"')
		dst = t.UTC().AppendFormat(dst, TimeLayout)
		return append(dst, '"')
	}
	var b [len(TimeLayout) + 2]byte
	if last := lastSecond.Load(); last != nil && last.sec == sec {
		b = last.text
	} else {
		formatSecond(&b, sec)
		// The kept second follows the wall clock: a later second replaces
		// it unless it is ahead of the clock (a caller's timestamp), and an
		// earlier one only when the kept one is ahead of the clock (the
		// clock stepped back). A time from the past (a long request's
		// start) costs no allocation.
		if now := time.Now().Unix(); sec <= now && (last == nil || sec > last.sec || last.sec > now) {
			lastSecond.CompareAndSwap(last, &secondText{sec: sec, text: b})
		}
	}
	micro := t.Nanosecond() / 1000
	put2(b[21:], micro/10000)
	put2(b[23:], micro/100%100)
	put2(b[25:], micro%100)
	return append(dst, b[:]...)
}

// secondText is a quoted TimeLayout string whose microseconds are left to
// fill in, for the second sec.
type secondText struct {
	sec  int64
	text [len(TimeLayout) + 2]byte
}

var lastSecond atomic.Pointer[secondText]

// formatSecond writes the second sec (in 1970 to 9999) into b as a quoted
// TimeLayout string, all but the microseconds.
func formatSecond(b *[len(TimeLayout) + 2]byte, sec int64) {
	days, secOfDay := sec/86400, int(sec%86400)
	year, month, day := civil(days)
	b[0] = '"'
	put4(b[1:], year)
	b[5] = '-'
	put2(b[6:], month)
	b[8] = '-'
	put2(b[9:], day)
	b[11] = 'T'
	put2(b[12:], secOfDay/3600)
	b[14] = ':'
	put2(b[15:], secOfDay/60%60)
	b[17] = ':'
	put2(b[18:], secOfDay%60)
	b[20] = '.'
	b[27] = 'Z'
	b[28] = '"'
}

// civil converts days since 1970-01-01 to a date in the proleptic Gregorian
// calendar (Howard Hinnant's days_from_civil, inverted).
func civil(days int64) (year, month, day int) {
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}

func put2(b []byte, v int) {
	b[0], b[1] = byte('0'+v/10), byte('0'+v%10)
}

func put4(b []byte, v int) {
	put2(b, v/100)
	put2(b[2:], v%100)
}

// AppendMillis appends d as milliseconds with three decimals, the unit of
// request_time and service_time.
func AppendMillis(dst []byte, d time.Duration) []byte {
	micro := d.Microseconds()
	// Integer arithmetic gives the same digits as formatting the float
	// while it holds micro exactly, at a third of the cost.
	if micro <= -1<<50 || micro >= 1<<50 {
		return strconv.AppendFloat(dst, float64(micro)/1000, 'f', 3, 64)
	}
	if micro < 0 {
		dst = append(dst, '-')
		micro = -micro
	}
	dst = strconv.AppendInt(dst, micro/1000, 10)
	frac := int(micro % 1000)
	return append(dst, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
}

// AppendValue appends v encoded as JSON, byte for byte as encoding/json
// encodes it without HTML escaping (a nil map or slice is null, map keys are
// sorted, json.RawMessage is compacted). Strings, booleans, numbers, nil,
// json.RawMessage, map[string]any and []any are encoded directly; anything
// else goes through encoding/json. Values JSON cannot represent (channels,
// functions, NaN, infinities, cycles, empty or invalid raw JSON) return an
// error and leave dst's contents unchanged.
func AppendValue(dst []byte, v any) ([]byte, error) {
	n := len(dst)
	out, err := appendValue(dst, v, 0)
	if err != nil {
		return dst[:n], err
	}
	return out, nil
}

// maxDepth bounds the direct encoder's recursion; deeper values are handed to
// encoding/json, which detects cycles.
const maxDepth = 64

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return AppendString(dst, x), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case float64:
		return appendFloat(dst, x, 64)
	case float32:
		return appendFloat(dst, float64(x), 32)
	case json.RawMessage:
		return appendRaw(dst, x)
	case map[string]any:
		if depth < maxDepth {
			return appendMap(dst, x, depth)
		}
	case []any:
		if depth < maxDepth {
			return appendSlice(dst, x, depth)
		}
	}
	return appendWithEncodingJSON(dst, v)
}

// appendWithEncodingJSON appends what encoding/json writes for v, without
// HTML escaping, as the direct encoder.
func appendWithEncodingJSON(dst []byte, v any) ([]byte, error) {
	n := len(dst)
	b := bytes.NewBuffer(dst)
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst[:n], err
	}
	out := b.Bytes()
	return out[:len(out)-1], nil // Encode ends with a newline
}

func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("unsupported value: %v", f)
	}
	// Same format choice as encoding/json.
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

// appendRaw appends raw compacted, as encoding/json does: nil is null, and
// empty or invalid JSON is refused.
func appendRaw(dst []byte, raw json.RawMessage) ([]byte, error) {
	if raw == nil {
		return append(dst, "null"...), nil
	}
	n := len(dst)
	b := bytes.NewBuffer(dst)
	if err := json.Compact(b, raw); err != nil {
		return dst[:n], fmt.Errorf("json.RawMessage is not valid JSON: %.40q: %w", raw, err)
	}
	return b.Bytes(), nil
}
