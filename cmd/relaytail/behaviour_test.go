package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// runFails runs the command, which must fail within 10 seconds, and
// returns what it wrote to stderr and its error.
func runFails(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	err := run(ctx, append([]string{"-color", "never"}, args...), &stdout, &stderr)
	if err == nil || ctx.Err() != nil {
		t.Fatalf("relaytail %q: %v after %v, want an error within 10s\nstdout:\n%s\nstderr:\n%s", args, err, time.Since(start), stdout.String(), stderr.String())
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout: %q, want nothing", stdout.String())
	}
	return stderr.String(), err
}

func TestNoBrokerFailsFast(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nobody listens there now
	stderr, err := runFails(t, "-brokers", addr)
	if !errors.Is(err, kafkasink.ErrConnection) || !strings.Contains(err.Error(), addr) {
		t.Errorf("error %v, want one saying that no broker answered at %s", err, addr)
	}
	if strings.Contains(stderr, "following") {
		t.Errorf("stderr %q: claims to follow a topic it never reached", stderr)
	}
}

func TestMissingTopicFails(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "logging"))
	_, err := runFails(t, "-brokers", brokers[0], "-topic", "loging")
	if !errors.Is(err, tail.ErrNoTopic) || !strings.Contains(err.Error(), `"loging"`) || !strings.Contains(err.Error(), "topics there: logging") {
		t.Errorf("error %v, want one naming the missing topic and the existing ones", err)
	}
}

// Pointed at an event topic, relaytail says so once and prints no junk.
func TestNotRequestLogsSaidOnce(t *testing.T) {
	brokers := otelrelayertest.Cluster(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i := range 3 {
		v := fmt.Sprintf(`{"source":"orders","event_type":"entity_created","event_subtype":"root","payload":{"id":%d},"timestamp":"2026-11-27T05:03:52.537020Z"}`, i)
		if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: "entity_created", Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"-brokers", brokers[0], "-topic", "entity_created", "-color", "never"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout %q, want nothing: there are no request logs", stdout.String())
	}
	if n := strings.Count(stderr.String(), "not request logs"); n != 1 ||
		!strings.Contains(stderr.String(), "an event (entity_created/root)") {
		t.Errorf("stderr says %d times that the messages are not request logs, want once naming the event:\n%s", n, stderr.String())
	}
}

// Request logs on different partitions come out in time order; with
// -window 0, in the order they arrive.
func TestOrderByTime(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(3, "logging"))
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	base := time.Date(2026, 11, 27, 5, 3, 0, 0, time.UTC)
	// partition i holds requests i, i+3 and i+6: one partition after the
	// other, they are out of time order.
	for p := range int32(3) {
		for _, sec := range []int32{p, p + 3, p + 6} {
			v := fmt.Sprintf(`{"source":"t","logging_topic":"logging","date":%q,"method":"GET","path":"/%d","status":200,"request_time":1,"lines":[],"dropped_lines":0}`,
				base.Add(time.Duration(sec)*time.Second).Format(time.RFC3339Nano), sec)
			if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: "logging", Partition: p, Value: []byte(v)}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	out := runTail(t, brokers, "-n", "9")
	var paths []string
	for line := range strings.SplitSeq(strings.TrimSuffix(out, "\n"), "\n") {
		f := strings.Fields(line)
		paths = append(paths, f[4])
	}
	if got := strings.Join(paths, " "); got != "/0 /1 /2 /3 /4 /5 /6 /7 /8" {
		t.Errorf("paths in the order %s, want by time\n%s", got, out)
	}
	if out := runTail(t, brokers, "-n", "9", "-window", "0"); strings.Count(out, "\n") != 9 {
		t.Errorf("-window 0 printed\n%s\nwant the 9 request logs", out)
	}
}
