package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/testing/hostile"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
	"github.com/otelrelayer/otelrelayer/wire"
)

var long = flag.Bool("long", false, "TestMemoryBoundUnderHostileRecords: more of each hostile record, and more page loads")

// relayview runs in a process of its own, with its defaults, over a
// cluster holding every hostile record at once: decompression bombs, deep
// nesting, forged dates, huge paths, and more request logs and events
// than it keeps; four clients load its pages meanwhile. Its peak resident
// memory (VmHWM) stays within MemoryBound.
func TestMemoryBoundUnderHostileRecords(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the peak resident memory from /proc")
	}
	scale := 1
	if *long {
		scale = 4
	}
	bin := filepath.Join(t.TempDir(), "relayview")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building relayview: %v\n%s", err, out)
	}
	brokers := testkit.HostileCluster(t, kfake.SeedTopics(3, "logging", "deep"))
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ProducerBatchMaxBytes(2<<20), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	produce := func(rs ...*kgo.Record) {
		t.Helper()
		if err := cl.ProduceSync(t.Context(), rs...).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-brokers", strings.Join(brokers, ","), "-ui", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "GOMAXPROCS=2")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	sc := bufio.NewScanner(stdout)
	var url string
	for sc.Scan() {
		if m := regexp.MustCompile(`web view at (http://\S+/)`).FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
			break
		}
	}
	if url == "" {
		t.Fatalf("relayview did not start: %s", stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	// Decompression bombs of 1 GiB on every partition.
	for p := range int32(3) {
		bomb, err := hostile.ZstdBomb(1 << 30)
		if err != nil {
			t.Fatal(err)
		}
		if err := hostile.ProduceBatch(t.Context(), cl, "logging", p, bomb); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	deep := strings.Repeat("[", 9990) + "1" + strings.Repeat("]", 9990)
	huge := strings.Repeat("<", 900_000)
	for round := range scale {
		// 1,000 forged dates, 40 paths of 900 KB, 50 deep request logs
		// and 500 deep events with event IDs, 2,000 plain request logs.
		var rs []*kgo.Record
		for i := range 1000 {
			rs = append(rs, &kgo.Record{Topic: "logging", Partition: int32(i % 3), Value: requestLog(fmt.Sprintf("/forged/%d", i), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))})
		}
		produce(rs...)
		for i := range 40 {
			v := fmt.Sprintf(`{"source":"t","logging_topic":"logging","date":%q,"method":"GET","path":"/%d/%s","status":200,"request_time":1,"lines":[]}`,
				now.UTC().Format(time.RFC3339Nano), i, huge)
			produce(&kgo.Record{Topic: "logging", Partition: int32(i % 3), Value: []byte(v)})
		}
		rs = rs[:0]
		for i := range 50 {
			v := fmt.Sprintf(`{"source":"t","logging_topic":"logging","date":%q,"method":"GET","path":"/deep/%d","status":200,"request_time":1,"lines":[{"log_level":"info","payload":%s,"timestamp":%q}]}`,
				now.UTC().Format(time.RFC3339Nano), i, deep, now.UTC().Format(time.RFC3339Nano))
			rs = append(rs, &kgo.Record{Topic: "logging", Partition: int32(i % 3), Value: []byte(v)})
		}
		for i := range 500 {
			v := `{"source":"t","event_type":"deep","event_subtype":"","payload":` + deep + `,"timestamp":"2026-11-27T05:03:52Z"}`
			rs = append(rs, &kgo.Record{Topic: "deep", Partition: int32(i % 3), Value: []byte(v),
				Headers: []kgo.RecordHeader{{Key: wire.EventIDHeader, Value: fmt.Appendf(nil, "ev-%d-%d", round, i)}}})
		}
		for i := range 2000 {
			rs = append(rs, &kgo.Record{Topic: "logging", Partition: int32(i % 3), Value: requestLog(fmt.Sprintf("/plain/%d/%d", round, i), now)})
		}
		produce(rs...)
	}

	get := func(path string) (string, error) {
		resp, err := http.Get(url + strings.TrimPrefix(path, "/"))
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	// Every partition read: a request log written now stays listed (one
	// on a partition still being read would be evicted by later arrivals).
	deadline := time.Now().Add(60 * time.Second)
	var list string
	for last := 0; !strings.Contains(list, `<span class="path">/last/`); last++ {
		produce(&kgo.Record{Topic: "logging", Value: requestLog(fmt.Sprintf("/last/%d", last), time.Now())})
		if time.Now().After(deadline) {
			t.Fatalf("relayview did not list the last request log within 60s (%d rows: %d forged, %d plain, %d deep; %d markers); stderr:\n%s",
				strings.Count(list, "<tr data-sort"), strings.Count(list, "/forged/"), strings.Count(list, "/plain/"), strings.Count(list, "/deep/"), strings.Count(list, `<tr class="skipped">`), stderr.String())
		}
		time.Sleep(500 * time.Millisecond)
		list, _ = get("/")
	}
	var wg sync.WaitGroup
	var maxPage sync.Map
	for c := range 4 {
		wg.Go(func() {
			for i := range 10 * scale {
				pages := []string{"/", "/?path=/deep", fmt.Sprintf("/events/ev-0-%d", c*100+i), "/?path=/forged",
					// The search scans every held record: free text over 900 KB
					// paths, a payload field over deep events.
					"/?q=%22%3C%3C%3C%3C%22+dur%3E%3D0ms", "/events?topic=deep&q=payload.a%3D1"}
				if i == 0 {
					pages = append(pages, "/export/requests?q=path%3D/plain")
				}
				for _, p := range pages {
					page, err := get(p)
					if err != nil {
						t.Error(err)
						return
					}
					key := p
					if strings.HasPrefix(p, "/events/") {
						key = "an event"
					}
					if strings.HasPrefix(p, "/export/") {
						key = "an export"
					}
					if old, ok := maxPage.Load(key); !ok || old.(int) < len(page) {
						maxPage.Store(key, len(page))
					}
				}
			}
		})
	}
	wg.Wait()
	if n := strings.Count(stderr.String(), "decompresses to more than"); n != 0 {
		t.Errorf("relayview reported the bombs as fetch errors %d times:\n%s", n, stderr.String())
	}
	list, _ = get("/")
	if n := strings.Count(list, `<tr class="skipped">`); n != 3 {
		t.Errorf("%d marker rows of skipped batches, want the 3 bombs", n)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	hwm := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	if hwm == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", cmd.Process.Pid)
	}
	peak, _ := strconv.Atoi(string(hwm[1]))
	maxPage.Range(func(k, v any) bool { t.Logf("largest page of %s: %d KB", k, v.(int)>>10); return true })
	t.Logf("relayview's peak resident memory: %d MiB (bound %d MiB)", peak>>10, MemoryBound>>20)
	if peak<<10 > MemoryBound {
		t.Errorf("relayview's peak resident memory is %d MiB, over the documented %d MiB", peak>>10, MemoryBound>>20)
	}
}
