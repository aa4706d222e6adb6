package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
)

// devBroker runs the command with args until the test ends (or stop is
// called) and returns its KAFKA_BROKERS value.
func devBroker(t *testing.T, args ...string) (brokers []string, out *testkit.Buffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out = &testkit.Buffer{}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, append([]string{"-port", "0", "-color", "never"}, args...), out, out) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("run: %v\n%s", err, out.String())
				}
			case <-time.After(20 * time.Second):
				t.Errorf("run did not return within 20s of its context's end")
			}
		})
	}
	t.Cleanup(stop)
	m := out.WaitFor(t, regexp.MustCompile(`export KAFKA_BROKERS=(\S+)\n`), 20*time.Second)
	return strings.Split(m[1], ","), out, stop
}

// A service using the library's defaults writes through the dev broker, a
// plain client reads it back, and the tail shows the request and its event.
func TestServiceThroughDevBroker(t *testing.T) {
	brokers, out, _ := devBroker(t)

	tp := testkit.Service(t, brokers, "dev-test")
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		if err := bridge.Emit(r.Context(), "order_created", "web", map[string]int{"id": 7}); err != nil {
			t.Error(err)
		}
		w.WriteHeader(http.StatusCreated)
	})
	h := bridge.HTTPHandler(mux, bridge.WithTracerProvider(tp))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/orders", nil))
	if err := tp.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}

	// Another client consumes both topics.
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("logging", "order_created"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	got := map[string]string{}
	for len(got) < 2 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { got[r.Topic] = string(r.Value) })
	}
	if !strings.Contains(got["order_created"], `"payload":{"id":7}`) || !strings.Contains(got["logging"], `"path":"/orders"`) {
		t.Fatalf("consumed %q, want the event and the request log", got)
	}

	out.WaitFor(t, regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.\d{3}  event  order_created/web  \{"id":7\}  source=dev-test event_id=[0-9a-f-]{36}$`), 20*time.Second)
	out.WaitFor(t, regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.\d{3}  201 +\S+  POST /orders  1 line  [0-9a-f]{32}$`), 20*time.Second)
}

// With -data, what was written is still there after a restart.
func TestDataDirKeepsMessages(t *testing.T) {
	dir := t.TempDir()
	brokers, _, stop := devBroker(t, "-data", dir, "-tail=false")
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		r := &kgo.Record{Topic: "orders", Value: []byte(strconv.Itoa(i))}
		if err := cl.ProduceSync(t.Context(), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cl.Close()
	stop()

	brokers, out, _ := devBroker(t, "-data", dir, "-tail=false")
	if !strings.Contains(out.String(), "messages kept in "+dir) {
		t.Errorf("banner does not say where messages are kept:\n%s", out)
	}
	cl, err = kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var values []string
	for len(values) < 3 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { values = append(values, string(r.Value)) })
	}
	if strings.Join(values, ",") != "0,1,2" {
		t.Errorf("after the restart, orders holds %q, want 0,1,2", values)
	}
}

func TestPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	var out bytes.Buffer
	err = run(t.Context(), []string{"-port", port}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "port "+port+" on 127.0.0.1 is in use") {
		t.Errorf("run: %v, want an error saying the port is in use", err)
	}
}

func TestParseArgsRejects(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-port", "70000"}, "-port 70000"},
		{[]string{"-port", "-1"}, "-port -1"},
		{[]string{"-partitions", "0"}, "-partitions 0: want 1 to 1000"},
		{[]string{"-partitions", "1001"}, "-partitions 1001: want 1 to 1000"},
		{[]string{"-partitions", "5000000000"}, "-partitions 5000000000: want 1 to 1000"},
		{[]string{"-color", "yes"}, `-color "yes"`},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		_, err := parseArgs(tt.args, &bytes.Buffer{}, func(string) string { return "" }, false)
		if _, ok := err.(cli.UsageError); !ok || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseArgs(%q): %v, want a usage error containing %q", tt.args, err, tt.want)
		}
	}
}

func TestParseArgsAcceptsPartitionsUpToTheBound(t *testing.T) {
	for _, n := range []string{"1", "1000"} {
		c, err := parseArgs([]string{"-partitions", n}, &bytes.Buffer{}, func(string) string { return "" }, false)
		if err != nil || strconv.Itoa(c.partitions) != n {
			t.Errorf("parseArgs(-partitions %s): partitions %d, %v; want %s, nil", n, c.partitions, err, n)
		}
	}
}

func TestDefaults(t *testing.T) {
	c, err := parseArgs(nil, &bytes.Buffer{}, func(string) string { return "" }, true)
	if err != nil {
		t.Fatal(err)
	}
	if c.port != 9092 || c.dataDir != "" || !c.tail || c.format.Verbose || !c.format.Color {
		t.Errorf("defaults %+v", c)
	}
}
