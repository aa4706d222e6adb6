package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/internal/testing/hostile"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
)

func requestLog(path string) []byte {
	return fmt.Appendf(nil, `{"source":"t","logging_topic":"logging","date":%q,"method":"GET","path":%q,"status":200,"request_time":1,"lines":[],"dropped_lines":0}`,
		time.Now().UTC().Format(time.RFC3339Nano), path)
}

// A zstd batch of 50 KB that inflates to 1 GiB sits between two request
// logs: relaytail skips it without inflating it, says so once with its
// topic, partition and offsets, and prints the request log after it.
func TestDecompressionBombIsSkipped(t *testing.T) {
	brokers := testkit.HostileCluster(t, kfake.SeedTopics(1, "logging"))
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	produce := func(path string) {
		t.Helper()
		if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: "logging", Value: requestLog(path)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	produce("/before")
	bomb, err := hostile.ZstdBomb(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the bomb: %d KB, inflating to 1 GiB", len(bomb)>>10)
	if err := hostile.ProduceBatch(t.Context(), cl, "logging", 0, bomb); err != nil {
		t.Fatal(err)
	}
	produce("/after")

	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"-brokers", brokers[0], "-n", "2", "-color", "never", "-window", "0"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("heap allocated while reading: %d MiB (the bound on a batch: %d MiB)", (after.TotalAlloc-before.TotalAlloc)>>20, tail.MaxBatchBytes>>20)
	if !strings.Contains(stdout.String(), "GET /before") || !strings.Contains(stdout.String(), "GET /after") {
		t.Errorf("stdout lacks the request logs before and after the bomb:\n%s", stdout.String())
	}
	if n := strings.Count(stderr.String(), "skipped logging[0] offsets 1 to 1: a record batch that decompresses to more than 16 MiB"); n != 1 {
		t.Errorf("stderr reports the skipped batch %d times, want once:\n%s", n, stderr.String())
	}
	if got := (after.TotalAlloc - before.TotalAlloc) >> 20; got > 256 {
		t.Errorf("reading allocated %d MiB: the bomb was inflated", got)
	}
}

// Event types and topic names are any producer's: the notice about a topic
// that holds no request logs escapes them (an OSC 52 clipboard write, a
// title change, a screen clear, a right-to-left override).
func TestNoticesEscapeWhatProducersWrote(t *testing.T) {
	const evil = "x\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;owned\x07\x1b[2J\u202e"
	brokers := testkit.HostileCluster(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	topic := "orders\x1b[2J"
	e, _ := json.Marshal(evil)
	v := fmt.Sprintf(`{"source":"orders","event_type":%s,"event_subtype":%s,"payload":{},"timestamp":"2026-11-27T05:03:52.537020Z"}`, e, e)
	if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: topic, Value: []byte(v)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"-brokers", brokers[0], "-topic", topic, "-color", "never"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	out := stderr.String()
	for _, r := range strings.TrimSuffix(strings.ReplaceAll(out, "\n", " "), " ") {
		if !unicode.IsPrint(r) && r != ' ' {
			t.Fatalf("stderr holds %U of what a producer wrote:\n%q", r, out)
		}
	}
	if !strings.Contains(out, `x\x1b]52;c;cm0gLXJmIH4=\a\x1b]0;owned\a\x1b[2J\u202e/`) || !strings.Contains(out, `orders\x1b[2J[`) {
		t.Errorf("stderr does not show the event type and the topic escaped:\n%s", out)
	}
}
