package jsonenc

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"testing"
)

// valueBuilder turns fuzzer bytes into a value made of the types payloads
// hold: the ones AppendValue encodes itself and a few it hands to
// encoding/json.
type valueBuilder struct{ b []byte }

func (vb *valueBuilder) byte() byte {
	if len(vb.b) == 0 {
		return 0
	}
	c := vb.b[0]
	vb.b = vb.b[1:]
	return c
}

func (vb *valueBuilder) uint64() uint64 {
	var x [8]byte
	n := copy(x[:], vb.b)
	vb.b = vb.b[n:]
	return binary.LittleEndian.Uint64(x[:])
}

func (vb *valueBuilder) string() string {
	n := min(int(vb.byte()%32), len(vb.b))
	s := string(vb.b[:n])
	vb.b = vb.b[n:]
	return s
}

func (vb *valueBuilder) value(depth int) any {
	kind := vb.byte()
	if depth > 70 { // deeper than the direct encoder goes
		kind %= 8
	}
	switch kind % 24 {
	case 0:
		return nil
	case 1:
		return vb.string()
	case 2:
		return vb.byte()%2 == 0
	case 3:
		return int64(vb.uint64())
	case 4:
		return vb.uint64()
	case 5:
		return math.Float64frombits(vb.uint64())
	case 6:
		return math.Float32frombits(uint32(vb.uint64()))
	case 7:
		return int(int32(vb.uint64()))
	case 8:
		n := int(vb.byte() % 5)
		s := make([]any, n)
		for i := range s {
			s[i] = vb.value(depth + 1)
		}
		return s
	case 9:
		n := int(vb.byte() % 5)
		m := make(map[string]any, n)
		for range n {
			m[vb.string()] = vb.value(depth + 1)
		}
		return m
	case 10:
		return map[string]any(nil)
	case 11:
		return []any(nil)
	case 12:
		return json.RawMessage(vb.string())
	case 13:
		return json.RawMessage(nil)
	case 14:
		return []string{vb.string(), vb.string()}
	case 15:
		return map[string]string{vb.string(): vb.string()}
	case 16:
		return []byte(vb.string())
	case 17:
		return []byte(nil)
	case 18:
		return int32(vb.uint64())
	case 19:
		return uint32(vb.uint64())
	case 20:
		return uint(vb.uint64())
	case 21:
		return int8(vb.byte())
	case 22:
		return map[string]int(nil)
	default:
		return struct {
			A string `json:"a"`
			B any    `json:"b,omitempty"`
		}{vb.string(), vb.value(depth + 1)}
	}
}

// encodingJSON is encoding/json with the escaping rules the library
// promises: no HTML escaping.
func encodingJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// FuzzAppendValueMatchesEncodingJSON is a differential test (issue 11, point
// 6): for any value built from JSON-able types, AppendValue writes exactly
// the bytes encoding/json writes, or both refuse it.
func FuzzAppendValueMatchesEncodingJSON(f *testing.F) {
	f.Add([]byte{10})                             // nil map[string]any
	f.Add([]byte{11})                             // nil []any
	f.Add([]byte{12, 5, '{', ' ', '}', ' ', ' '}) // raw JSON with spaces
	f.Add([]byte{12, 0})                          // empty raw JSON
	f.Add([]byte{14, 1, '<', 1, '&'})             // HTML characters in a fallback type
	f.Add([]byte{9, 2, 1, 'k', 10, 1, 'j', 5, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f})
	f.Add([]byte{8, 3, 6, 1, 2, 3, 4, 5, 0xff, 1, 3, 'a', 0xff, 'b'})
	f.Fuzz(func(t *testing.T, data []byte) {
		v := (&valueBuilder{b: data}).value(0)
		want, wantErr := encodingJSON(v)
		got, err := AppendValue([]byte("prefix"), v)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("value %#v: AppendValue error %v, encoding/json error %v", v, err, wantErr)
		}
		if err != nil {
			if string(got) != "prefix" {
				t.Fatalf("value %#v: a refused value left %q in dst", v, got)
			}
			return
		}
		if !bytes.Equal(got[len("prefix"):], want) {
			t.Fatalf("value %#v:\nAppendValue   %s\nencoding/json %s", v, got[len("prefix"):], want)
		}
	})
}
