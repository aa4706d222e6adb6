package eventid

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestNewIsAUUIDv7(t *testing.T) {
	now := time.Date(2026, 11, 27, 5, 3, 52, 537_000_000, time.UTC)
	seen := map[uuid.UUID]bool{}
	for range 100_000 {
		id := New(now)
		if id.Version() != 7 || id.Variant() != uuid.RFC4122 {
			t.Fatalf("%s: version %d variant %v", id, id.Version(), id.Variant())
		}
		if sec, nsec := id.Time().UnixTime(); time.Unix(sec, nsec).UnixMilli() != now.UnixMilli() {
			t.Fatalf("%s carries %v, want %v", id, time.Unix(sec, nsec), now)
		}
		if seen[id] {
			t.Fatalf("%s generated twice", id)
		}
		seen[id] = true
		if got := string(AppendText(nil, id)); got != id.String() {
			t.Fatalf("AppendText = %s, uuid says %s", got, id)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	now := time.Now()
	var buf [TextLen]byte
	for b.Loop() {
		_ = AppendText(buf[:0], New(now))
	}
}
