package tail_test

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// A tool keeps some messages it read (the web view keeps request logs and
// events, and skips the rest): a kept message must hold its own bytes, not
// the fetch response it came in, or a small event read next to large
// messages keeps them all in memory.
func TestKeptMessagesDoNotPinFetchBuffers(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "mixed"))
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		t.Fatal(err)
	}
	const pairs = 32
	big := bytes.Repeat([]byte("x"), 256<<10)
	var records []*kgo.Record
	for i := range pairs {
		event := fmt.Appendf(nil, `{"source":"s","event_type":"e","event_subtype":"","payload":%d,"timestamp":"2026-11-27T05:03:52Z"}`, i)
		records = append(records, &kgo.Record{Topic: "mixed", Value: event}, &kgo.Record{Topic: "mixed", Value: big})
	}
	if err := cl.ProduceSync(t.Context(), records...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	cl.Close()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tl, err := tail.Open(t.Context(), tail.Config{Brokers: brokers, Topics: []string{"mixed"}})
	if err != nil {
		t.Fatal(err)
	}
	var kept []tail.Message
	for range 2 * pairs {
		m := next(t, tl)
		if m.Kind == tail.KindEvent {
			kept = append(kept, m)
		}
	}
	tl.Close()
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d events kept; the heap grew by %d KiB", len(kept), grew>>10)
	if len(kept) != pairs {
		t.Fatalf("%d events read, want %d", len(kept), pairs)
	}
	if grew > 2<<20 {
		t.Errorf("keeping %d small events holds %d MiB: they pin the fetch buffers of the 256 KiB messages read with them", pairs, grew>>20)
	}
	runtime.KeepAlive(kept)
}
