package kafkasink

import (
	"bytes"
	"testing"
	"time"
)

// FuzzDecodeSpoolRecord feeds arbitrary bytes to the record decoder, which
// reads what a damaged file may hold: it must return a message or an error,
// never panic, and a record it encoded must come back unchanged.
func FuzzDecodeSpoolRecord(f *testing.F) {
	ts := time.UnixMilli(1_800_000_000_000)
	f.Add(encodeSpoolRecord(Message{Topic: "t", Key: []byte("k"), Value: []byte(`{}`), Headers: []Header{{Key: "h", Value: []byte("v")}}}, ts), "t", []byte("k"), []byte("v"))
	f.Add(encodeSpoolRecord(Message{Topic: "t"}, ts), "", []byte(nil), []byte{})
	f.Add([]byte{1, 2, 3, 4, 5, 6}, "x", []byte{}, []byte(nil))
	f.Fuzz(func(t *testing.T, data []byte, topic string, key, value []byte) {
		_, _, _ = decodeSpoolRecord(data)

		m := Message{Topic: topic, Key: key, Value: value, Headers: []Header{{Key: topic, Value: key}, {Key: "nil", Value: nil}}}
		got, gotTS, err := decodeSpoolRecord(encodeSpoolRecord(m, ts))
		if err != nil {
			t.Fatalf("decoding an encoded record: %v", err)
		}
		if got.Topic != m.Topic || !sameBytes(got.Key, m.Key) || !bytes.Equal(got.Value, m.Value) || !gotTS.Equal(ts) ||
			len(got.Headers) != 2 || got.Headers[0].Key != topic || !sameBytes(got.Headers[0].Value, key) || got.Headers[1].Value != nil {
			t.Fatalf("round trip: got %+v at %v, want %+v at %v", got, gotTS, m, ts)
		}
		if len(data) > 0 {
			enc := encodeSpoolRecord(m, ts)
			enc[int(data[0])%len(enc)] ^= 1 << (data[0] % 8)
			if _, _, err := decodeSpoolRecord(enc); err == nil {
				t.Fatal("a record with a flipped bit decoded without error")
			}
		}
	})
}

// sameBytes is bytes.Equal that also tells nil from empty, as franz-go does
// for keys.
func sameBytes(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }
