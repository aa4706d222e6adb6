package webview

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// A live stream whose page reads slowly holds no request log the store has
// evicted: its queue names request logs, it does not keep them.
func TestSlowLiveStreamHoldsNoEvictedLog(t *testing.T) {
	v := newView(t, WithMaxRequests(2))
	rows, _, cancel := v.store.subscribe()
	defer cancel()
	collected := make(chan struct{})
	func() {
		big := strings.Repeat("x", 1<<20)
		m := message(t, "logging", 0, 0, httpLog("GET", "/"+big, 200, 0, ""))
		runtime.AddCleanup(unsafe.SliceData(m.Value), func(ch chan struct{}) { close(ch) }, collected)
		add(t, v, m)
	}()
	for i := 1; i <= 3; i++ { // evict it
		add(t, v, message(t, "logging", 0, int64(i), httpLog("GET", "/", 200, float64(i), "")))
	}
	deadline := time.Now().Add(5 * time.Second)
	for done := false; !done; {
		runtime.GC()
		select {
		case <-collected:
			done = true
		case <-time.After(10 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("an evicted request log is still held while a live stream has not read it")
			}
		}
	}
	if seq := <-rows; seq != 1 {
		t.Fatalf("first queued %d, want 1", seq)
	}
	if _, kept := v.store.arrived(1); kept {
		t.Error("the evicted request log is still found")
	}
	if r, kept := v.store.arrived(4); !kept || r.id.offset != 3 {
		t.Errorf("arrived(4) = %v, %v; want the log at offset 3", r, kept)
	}
	runtime.KeepAlive(rows)
}

// Live streams and exports each hold memory while their client reads: past
// a bound, more are refused with 503 and Retry-After rather than served.
func TestLiveStreamsAndExportsAreBounded(t *testing.T) {
	v := newView(t)
	srv := httptest.NewServer(v)
	defer srv.Close()
	var open []*http.Response
	defer func() {
		for _, r := range open {
			r.Body.Close()
		}
	}()
	for i := range maxLive {
		resp, err := http.Get(srv.URL + "/live")
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("live stream %d: status %d", i, resp.StatusCode)
		}
	}
	resp, err := http.Get(srv.URL + "/live")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("live stream %d: status %d, Retry-After %q; want 503 with Retry-After", maxLive+1, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// One place is given back when a stream ends.
	open[0].Body.Close()
	open = open[1:]
	deadline := time.Now().Add(5 * time.Second)
	for v.live.Load() >= maxLive {
		if time.Now().After(deadline) {
			t.Fatal("an ended live stream keeps its place")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code, _ := get(t, v, "/export/requests"); code != http.StatusOK {
		t.Errorf("an export: status %d", code)
	}
	v.exports.Store(maxExports) // as many exports as allowed are being read
	if code, body := get(t, v, "/export/requests"); code != http.StatusServiceUnavailable || !strings.Contains(body, fmt.Sprintf("%d exports", maxExports)) {
		t.Errorf("one export too many: status %d, want 503 naming the bound:\n%s", code, body)
	}
}
