package exporter

import (
	"encoding/binary"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// BenchmarkRecentTablePut is remembering one ended request's root: what
// every request costs the recent table.
func BenchmarkRecentTablePut(b *testing.B) {
	var t recentTable
	ref := endedRef{service: "checkout"}
	b.ReportAllocs()
	var id trace.SpanID
	for i := range b.N {
		binary.LittleEndian.PutUint64(id[:], uint64(i)*0x9E3779B97F4A7C15+1)
		t.put(id, ref)
	}
}
