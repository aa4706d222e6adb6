package kafkasink_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestSpoolSalvageKeepsEveryValidRecord damages a spool of n records so
// that New refuses it, naming the salvage; SalvageSpool (what `relayspool
// salvage` runs) then keeps every record the damage spared, counted
// against what was written, and the broker receives exactly those.
func TestSpoolSalvageKeepsEveryValidRecord(t *testing.T) {
	const n = 200
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string) (kept int)
	}{
		{"flipped byte in a middle record", func(t *testing.T, dir string) int {
			flipRecordByte(t, dir, n/2)
			return n - 1
		}},
		{"file cut in half", func(t *testing.T, dir string) int {
			return cutRecords(t, dir, 0.5)
		}},
		{"file truncated to 0 bytes", func(t *testing.T, dir string) int {
			if err := os.Truncate(segmentPath(t, dir), 0); err != nil {
				t.Fatal(err)
			}
			return 0
		}},
		{"file cut to its header", func(t *testing.T, dir string) int {
			if err := os.Truncate(segmentPath(t, dir), 32); err != nil {
				t.Fatal(err)
			}
			return 0
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "spool")
			spoolWith(t, dir, n)
			kept := tt.damage(t, dir)
			_, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
			if !errors.Is(err, kafkasink.ErrSpool) || !strings.Contains(err.Error(), "relayspool salvage "+dir) {
				t.Fatalf("New on the damaged spool: %v, want ErrSpool naming relayspool salvage", err)
			}
			s, err := kafkasink.SalvageSpool(dir)
			if err != nil {
				t.Fatalf("SalvageSpool: %v", err)
			}
			if s.Kept != kept || len(s.Before.Damage) == 0 || s.Aside == "" {
				t.Fatalf("SalvageSpool kept %d records (damage %v, aside %q), want %d", s.Kept, s.Before.Damage, s.Aside, kept)
			}
			if _, err := os.Stat(s.Aside); err != nil {
				t.Fatalf("the old files: %v", err)
			}
			got, err := recovered(t, dir, kept)
			if err != nil || got != kept {
				t.Fatalf("after salvage the broker got %d records (%v), want the %d intact", got, err, kept)
			}
		})
	}
}
