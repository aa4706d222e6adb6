package main

import (
	"bufio"
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
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
)

// The dev broker lets any client create a topic with a larger
// max.message.bytes; an uncompressed batch is then fetched whole however
// large (franz-go reads up to 100 MiB). Two request logs of 90 MB must
// not take relayview past MemoryBound: they are skipped, each with a
// marker row.
func TestOversizeRecordsStayWithinMemoryBound(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the peak resident memory from /proc")
	}
	bin := filepath.Join(t.TempDir(), "relayview")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building relayview: %v\n%s", err, out)
	}
	brokers := testkit.HostileCluster(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ProducerBatchMaxBytes(200<<20), kgo.BrokerMaxWriteBytes(300<<20),
		kgo.ProducerBatchCompression(kgo.NoCompression()), kgo.ProducerLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = "logging", 1, 1
	c := kmsg.NewCreateTopicsRequestTopicConfig()
	c.Name, c.Value = "max.message.bytes", kmsg.StringPtr("200000000")
	rt.Configs = append(rt.Configs, c)
	req.Topics = append(req.Topics, rt)
	if _, err := req.RequestWith(t.Context(), cl); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-brokers", strings.Join(brokers, ","), "-ui", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "GOMAXPROCS=2")
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	var url string
	for sc.Scan() {
		if m := regexp.MustCompile(`web view at (http://\S+/)`).FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for i := range 2 {
		v := fmt.Sprintf(`{"source":"t","logging_topic":"logging","date":%q,"method":"GET","path":"/big/%d/%s","status":200,"request_time":1,"lines":[]}`, now, i, strings.Repeat("a", 90<<20))
		if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: "logging", Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	after := fmt.Sprintf(`{"source":"t","logging_topic":"logging","date":%q,"method":"GET","path":"/after","status":200,"request_time":1,"lines":[]}`, now)
	if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: "logging", Value: []byte(after)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), "/after") {
				if n := strings.Count(string(b), `<tr class="skipped">`); n != 2 {
					t.Errorf("%d marker rows, want one per record of 90 MB", n)
				}
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("relayview did not list /after; stderr:\n%s", stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	peak, _ := strconv.Atoi(string(regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)[1]))
	t.Logf("relayview's peak resident memory: %d MiB (bound %d MiB)", peak>>10, MemoryBound>>20)
	if peak<<10 > MemoryBound {
		t.Errorf("relayview's peak resident memory is %d MiB, over the documented %d MiB", peak>>10, MemoryBound>>20)
	}
}
