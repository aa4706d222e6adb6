package webview

import (
	"encoding/json"
	"runtime"
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
