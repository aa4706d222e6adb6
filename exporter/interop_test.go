package exporter_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Test vectors of the Java client's Utils.murmur2 (Kafka's UtilsTest): the
// partition of a keyed record is toPositive(murmur2(key)) % partitions.
var javaMurmur2 = map[string]int32{
	"21":                         -973932308,
	"foobar":                     -790332482,
	"a-little-bit-long-string":   -985981536,
	"a-little-bit-longer-string": -1486304829,
	"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
	"abc": 479470107,
}

func TestPartitioningMatchesTheJavaClient(t *testing.T) {
	const partitions = 12
	brokers, tp := kafkaPipelineOn(t, otelrelayertest.Cluster(t, kfake.SeedTopics(partitions, "keyed")))
	ctx, span := tp.Tracer("t").Start(t.Context(), "job")
	for key := range javaMurmur2 {
		for range 3 { // the same key, the same partition, every time
			if err := bridge.Emit(ctx, "keyed", "x", key, bridge.WithPartitionKey(key), bridge.WithAck()); err != nil {
				t.Fatal(err)
			}
		}
	}
	span.End()
	got := consume(t, brokers, 3*len(javaMurmur2), "keyed")
	for _, r := range got["keyed"] {
		want := (javaMurmur2[string(r.Key)] & 0x7fffffff) % partitions
		if r.Partition != want {
			t.Errorf("key %q on partition %d, the Java client picks %d", r.Key, r.Partition, want)
		}
	}
}

// kcat (librdkafka) reads what we wrote: keys, headers and JSON bodies
// unchanged.
func TestKcatReadsWhatWeWrite(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("kcat is not installed: scripts/ensure-kcat.sh installs it")
		}
		t.Skip("kcat is not installed (scripts/ensure-kcat.sh installs it)")
	}
	brokers, tp := kafkaPipelineOn(t, otelrelayertest.Cluster(t))
	id := uuid.MustParse("0193d4a5-3f1e-7b2c-9d4e-5f6a7b8c9d0e")
	ctx, span := tp.Tracer("t").Start(t.Context(), "job")
	if err := bridge.Emit(ctx, "entity_created", "root", map[string]any{"id": 10, "name": "naïve <b>"}, bridge.WithPartitionKey("k-1")); err != nil {
		t.Fatal(err)
	}
	if err := bridge.Emit(ctx, "entity_created", "uuid", 2, bridge.WithPartitionKey(id)); err != nil {
		t.Fatal(err)
	}
	span.End()
	if err := tp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := consume(t, brokers, 3, "entity_created", "logging")

	for _, topic := range []string{"entity_created", "logging"} {
		out, err := exec.CommandContext(t.Context(), kcat, "-C", "-b", brokers[0], "-t", topic,
			"-o", "beginning", "-e", "-q", "-J").Output()
		if err != nil {
			t.Fatalf("kcat: %v", err)
		}
		var read []kcatMessage
		for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
			var m kcatMessage
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatalf("kcat output %s: %v", line, err)
			}
			read = append(read, m)
		}
		if len(read) != len(want[topic]) {
			t.Fatalf("kcat read %d messages on %s, franz-go %d", len(read), topic, len(want[topic]))
		}
		for _, r := range want[topic] {
			m := findKcat(read, r.Partition, r.Offset)
			if m == nil {
				t.Fatalf("kcat did not read %s/%d@%d", topic, r.Partition, r.Offset)
			}
			if m.Payload != string(r.Value) {
				t.Errorf("payload\n kcat %s\nfranz %s", m.Payload, r.Value)
			}
			if k := kcatKeys(t, kcat, brokers[0], topic)[fmt.Sprint(r.Partition, "@", r.Offset)]; k != string(r.Key) {
				t.Errorf("key: kcat %q, franz %q", k, r.Key)
			}
			var headers []string
			for _, h := range r.Headers {
				headers = append(headers, h.Key, string(h.Value))
			}
			if fmt.Sprint(m.Headers) != fmt.Sprint(headers) {
				t.Errorf("headers: kcat %v, franz %v", m.Headers, headers)
			}
			if !json.Valid([]byte(m.Payload)) {
				t.Errorf("kcat payload is not JSON: %s", m.Payload)
			}
		}
	}
}

// kcatKeys reads the raw key bytes of every message of topic with kcat,
// by partition@offset: the JSON envelope cannot carry binary keys.
func kcatKeys(t *testing.T, kcat, broker, topic string) map[string]string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), kcat, "-C", "-b", broker, "-t", topic,
		"-o", "beginning", "-e", "-q", "-f", "%p %o %K %k\n").Output()
	if err != nil {
		t.Fatalf("kcat: %v", err)
	}
	keys := map[string]string{}
	for len(out) > 0 {
		var partition, offset, n int
		if _, err := fmt.Sscanf(string(out), "%d %d %d ", &partition, &offset, &n); err != nil {
			t.Fatalf("kcat key output %q: %v", out, err)
		}
		for range 3 { // skip the three numbers
			out = out[bytes.IndexByte(out, ' ')+1:]
		}
		keys[fmt.Sprint(partition, "@", offset)] = string(out[:max(n, 0)])
		out = out[max(n, 0)+1:] // the key, then the newline
	}
	return keys
}

type kcatMessage struct {
	Partition int32    `json:"partition"`
	Offset    int64    `json:"offset"`
	Headers   []string `json:"headers"`
	Payload   string   `json:"payload"`
}

func findKcat(ms []kcatMessage, partition int32, offset int64) *kcatMessage {
	for i := range ms {
		if ms[i].Partition == partition && ms[i].Offset == offset {
			return &ms[i]
		}
	}
	return nil
}
