package webview

import (
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/wire"
)

// The README promises "never more than 64 MiB of request logs": what the
// kept request logs take on the heap, measured, stays within the bound the
// store counts against. Request logs of large log lines are the case that
// matters: each line's payload is held as the message, as the line and as
// the line's payload.
func TestRequestLogBytesBoundHoldsInMemory(t *testing.T) {
	v := newView(t)
	const bound = 8 << 20 // the default's 64 MiB, smaller: the test is quicker
	v.store.maxRequestBytes = bound
	payload, err := json.Marshal(strings.Repeat("x", 256<<10))
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 40 {
		l := httpLog("GET", "/", 200, float64(i), "", wire.Line{LogLevel: "info", Payload: payload, Timestamp: at(float64(i))})
		add(t, v, message(t, "logging", 0, int64(i), l))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	n, _ := v.store.counts()
	t.Logf("%d request logs of 256 KiB held: %d KiB on the heap, bound %d KiB", n, held>>10, bound>>10)
	if held > bound*105/100 {
		t.Errorf("the kept request logs take %d KiB on the heap; the bound is %d KiB", held>>10, bound>>10)
	}
	runtime.KeepAlive(v)
}

// The same bound holds for the fields the view added: a long
// parent_span_id, and request logs of many event lines, each indexed by
// its event ID for the event's "emitted by" link.
func TestRequestLogBytesBoundHoldsForTheViewsIndexes(t *testing.T) {
	const bound = 8 << 20
	for _, c := range []struct {
		name string
		log  func(i int) wire.RequestLog
	}{
		{"long parent_span_id", func(i int) wire.RequestLog {
			l := httpLog("GET", "/", 200, float64(i), "")
			l.ParentSpanID = strings.Repeat("f", 256<<10)
			return l
		}},
		{"many event IDs", func(i int) wire.RequestLog {
			lines := make([]wire.Line, 2000)
			for j := range lines {
				lines[j] = wire.Line{EventID: strings.Repeat("0", 24) + strconv.Itoa(i*10000+j)}
			}
			return httpLog("GET", "/", 200, float64(i), "", lines...)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := newView(t)
			v.store.maxRequestBytes = bound
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for i := range 80 {
				add(t, v, message(t, "logging", 0, int64(i), c.log(i)))
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
			n, _ := v.store.counts()
			t.Logf("%d request logs held: %d KiB on the heap, bound %d KiB", n, held>>10, bound>>10)
			if held > bound*105/100 {
				t.Errorf("the kept request logs take %d KiB on the heap; the bound is %d KiB", held>>10, bound>>10)
			}
			runtime.KeepAlive(v)
		})
	}
}
