package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/testing/hostile"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
)

// A zstd batch that inflates to 1 GiB, written to the dev broker between two
// request logs: the console tail skips it, says so once with its topic,
// partition and offsets, and prints the request log after it; the web view
// lists it as a marker row.
func TestDecompressionBombIsSkipped(t *testing.T) {
	brokers, out, _ := devBroker(t, "-partitions", "1", "-ui", "127.0.0.1:0")
	ui := out.WaitFor(t, regexp.MustCompile(`web view of request logs: (http://\S+/)\n`), 20*time.Second)[1]
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	log := func(path string) *kgo.Record {
		return &kgo.Record{Topic: "logging", Value: fmt.Appendf(nil, `{"source":"t","logging_topic":"logging","date":%q,"method":"GET","path":%q,"status":200,"request_time":1,"lines":[]}`,
			time.Now().UTC().Format(time.RFC3339Nano), path)}
	}
	if err := cl.ProduceSync(t.Context(), log("/before")).FirstErr(); err != nil {
		t.Fatal(err)
	}
	bomb, err := hostile.ZstdBomb(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	if err := hostile.ProduceBatch(t.Context(), cl, "logging", 0, bomb); err != nil {
		t.Fatal(err)
	}
	if err := cl.ProduceSync(t.Context(), log("/after")).FirstErr(); err != nil {
		t.Fatal(err)
	}
	out.WaitFor(t, regexp.MustCompile(`GET /after`), 20*time.Second)
	if n := strings.Count(out.String(), "relayer-dev: skipped logging[0] offsets 1 to 1: a record batch that decompresses to more than 16 MiB"); n != 1 {
		t.Errorf("the skipped batch is reported %d times, want once:\n%s", n, out.String())
	}
	deadline := time.Now().Add(20 * time.Second)
	for list := ""; !strings.Contains(list, "logging partition 0, offsets 1 to 1"); list = testkit.Get(t, ui) {
		if time.Now().After(deadline) {
			t.Fatalf("the web view shows no marker row of the skipped batch:\n%s", list)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
