package exporter

import (
	"math/rand/v2"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// recentModel is the recent table's contract with maps: per shard, a
// current generation of at most recentPerShard span IDs and the previous
// one; a known ID is updated in place.
type recentModel struct {
	cur, prev [tableShards]map[trace.SpanID]string
}

func (m *recentModel) put(id trace.SpanID, service string) {
	k := (id[7] ^ id[3]) % tableShards
	if _, ok := m.cur[k][id]; !ok && (m.cur[k] == nil || len(m.cur[k]) == recentPerShard) {
		m.prev[k], m.cur[k] = m.cur[k], map[trace.SpanID]string{}
	}
	m.cur[k][id] = service
}

func (m *recentModel) get(id trace.SpanID) (string, bool) {
	k := (id[7] ^ id[3]) % tableShards
	if s, ok := m.cur[k][id]; ok {
		return s, true
	}
	s, ok := m.prev[k][id]
	return s, ok
}

// The recent table remembers what a map of two generations a shard would:
// every span ID of the current and the previous generation, with its last
// request, and nothing older; with random IDs, with IDs that collide in the
// index, and with IDs put again.
func TestRecentTableRemembersTwoGenerations(t *testing.T) {
	tests := []struct {
		name string
		id   func(r *rand.Rand, i int) trace.SpanID
	}{
		{"random span IDs", func(r *rand.Rand, _ int) trace.SpanID {
			var id trace.SpanID
			for j := range id {
				id[j] = byte(r.Uint32())
			}
			return id
		}},
		{"span IDs put again", func(r *rand.Rand, _ int) trace.SpanID {
			return trace.SpanID{byte(r.IntN(40)), 0, 0, byte(r.IntN(200)), 0, 0, 0, 1}
		}},
		{"span IDs alike but for the index's high bits", func(_ *rand.Rand, i int) trace.SpanID {
			return trace.SpanID{0, 0, 0, 0, 0, 0, byte(i), byte(i >> 8)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var table recentTable
			var model recentModel
			var seen []trace.SpanID
			for i := range 200_000 {
				id := tt.id(r, i)
				service := string(rune('a' + i%26))
				table.put(id, endedRef{service: service})
				model.put(id, service)
				seen = append(seen, id)
				if i%20_000 != 19_999 {
					continue
				}
				for _, id := range seen {
					want, wantOK := model.get(id)
					got, ok := table.get(id)
					if ok != wantOK || got.service != want {
						t.Fatalf("after %d puts, span %v: got %q %v, want %q %v", i+1, id, got.service, ok, want, wantOK)
					}
				}
				seen = seen[len(seen)-5_000:]
			}
		})
	}
}
