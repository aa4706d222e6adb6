package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/otelrelayer/otelrelayer/examples/internal/demotest"
)

var update = flag.Bool("update", false, "rewrite testdata/account.golden with the quickstart's output")

// normalizations replace what changes from run to run: addresses, clocks,
// IDs, durations.
var normalizations = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z`), "TIMESTAMP"},
	{regexp.MustCompile(`\b\d\d:\d\d:\d\d\.\d{3}\b`), "HH:MM:SS.mmm"},
	{regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`), "EVENT-ID"},
	{regexp.MustCompile(`\b[0-9a-f]{32}\b`), "TRACE-ID"},
	{regexp.MustCompile(`\b[0-9a-f]{16}\b`), "SPAN-ID"},
	{regexp.MustCompile(`"request_time": [0-9.]+`), `"request_time": MS`},
	{regexp.MustCompile(` *(\+?)[0-9]+(\.[0-9]+)?(µs|ms|s)\b`), " ${1}DURATION"},
}

// The quickstart's account, on its embedded broker, is the golden one
// once times and IDs are normalized (go test -run Account -update
// rewrites it).
func TestAccountGolden(t *testing.T) {
	t.Setenv("KAFKA_BROKERS", "")
	var out demotest.Buffer
	if err := run(t.Context(), nil, &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, n := range normalizations {
		got = n.re.ReplaceAllString(got, n.with)
	}
	golden := filepath.Join("testdata", "account.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -run Account -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("the account differs from %s (go test -run Account -update rewrites it):\n%s", golden, got)
	}
}

// With KAFKA_BROKERS, the account shows what this run wrote, not what the
// topics held before.
func TestAccountShowsOnlyThisRun(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Setenv("KAFKA_BROKERS", strings.Join(c.ListenAddrs(), ","))
	for i := range 2 {
		var out demotest.Buffer
		if err := run(t.Context(), nil, &out); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if n := strings.Count(got, "\n   logging "); n != 4 {
			t.Errorf("run %d: %d request logs shown, want the 4 of this run:\n%s", i+1, n, got)
		}
		if n := strings.Count(got, "\n   order_created "); n != 2 {
			t.Errorf("run %d: %d events shown, want the 2 of this run:\n%s", i+1, n, got)
		}
	}
}
