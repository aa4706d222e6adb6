package tail_test

import (
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
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

var base = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// requestLog is a request log body that started at base plus sec seconds.
func requestLog(sec int) []byte {
	d := base.Add(time.Duration(sec) * time.Second).Format("2006-01-02T15:04:05.000000Z")
	return fmt.Appendf(nil, `{"source":"t","logging_topic":"logging","date":%q,"method":"GET","path":"/%d","status":200,"request_time":1.5,"lines":[],"dropped_lines":0,"dropped_events":0}`, d, sec)
}

// produce writes values to topic, value i to partitions[i].
func produce(t *testing.T, brokers []string, topic string, partitions []int32, values ...[]byte) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for i, v := range values {
		r := &kgo.Record{Topic: topic, Value: v}
		if partitions != nil {
			r.Partition = partitions[i]
		}
		if err := cl.ProduceSync(t.Context(), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

func open(t *testing.T, cfg tail.Config) *tail.Tail {
	t.Helper()
	tl, err := tail.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tl.Close)
	return tl
}

func next(t *testing.T, tl *tail.Tail) tail.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	m, err := tl.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOpenFailsFastWithoutBroker(t *testing.T) {
	// A port nobody listens on: refused at once.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := l.Addr().String()
	l.Close()

	// A listener that accepts and never answers: the timeout.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()

	for _, addr := range []string{refused, silent.Addr().String()} {
		start := time.Now()
		_, err := tail.Open(t.Context(), tail.Config{Brokers: []string{addr}, Topics: []string{"logging"}, Timeout: time.Second})
		took := time.Since(start)
		if !errors.Is(err, tail.ErrNoBroker) || !strings.Contains(err.Error(), addr) {
			t.Errorf("Open(%s): %v, want ErrNoBroker naming the address", addr, err)
		}
		if took > 5*time.Second {
			t.Errorf("Open(%s) took %v with a timeout of 1s", addr, took)
		}
		t.Logf("%s after %v", err, took.Round(time.Millisecond))
	}
}

func TestOpenFailsOnMissingTopic(t *testing.T) {
	// Auto topic creation on, as in otelrelayertest.Cluster: Open must not
	// create the topic it checks.
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "logging", "orders"))
	_, err := tail.Open(t.Context(), tail.Config{Brokers: brokers, Topics: []string{"loging"}})
	if !errors.Is(err, tail.ErrNoTopic) {
		t.Fatalf("Open: %v, want ErrNoTopic", err)
	}
	if want := `"loging" on ` + brokers[0] + ` (topics there: logging, orders)`; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	// Still missing: the check did not create it.
	if _, err := tail.Open(t.Context(), tail.Config{Brokers: brokers, Topics: []string{"loging"}}); !errors.Is(err, tail.ErrNoTopic) {
		t.Errorf("second Open: %v, want ErrNoTopic", err)
	}
}

func TestDecodeKinds(t *testing.T) {
	tests := []struct {
		value string
		kind  tail.Kind
	}{
		{string(requestLog(1)), tail.KindRequestLog},
		{`{"source":"orders","event_type":"entity_created","event_subtype":"root","payload":{"id":10},"timestamp":"2026-11-27T05:03:52.537020Z"}`, tail.KindEvent},
		{`{"id":10}`, tail.KindOther},
		{`[1,2]`, tail.KindOther},
		{`plain text`, tail.KindOther},
		{``, tail.KindOther},
		{`{"date":"yesterday","lines":[]}`, tail.KindOther},
	}
	for _, tt := range tests {
		var m tail.Message
		tail.Decode(&m, []byte(tt.value))
		if m.Kind != tt.kind || (m.Kind == tail.KindOther) != (m.NotOurs != "") ||
			(m.Kind == tail.KindRequestLog) != (m.RequestLog != nil) || (m.Kind == tail.KindEvent) != (m.Event != nil) {
			t.Errorf("Decode(%q) = %v %q, want %v", tt.value, m.Kind, m.NotOurs, tt.kind)
		}
	}
}

func TestOrderAcrossPartitions(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(3, "logging"))
	// Each partition in time order, the partitions interleaved.
	produce(t, brokers, "logging", []int32{2, 2, 0, 0, 1, 1},
		requestLog(2), requestLog(6), requestLog(1), requestLog(4), requestLog(3), requestLog(5))

	t.Run("window", func(t *testing.T) {
		tl := open(t, tail.Config{Brokers: brokers, Topics: []string{"logging"}, Window: tail.DefaultWindow})
		for want := 1; want <= 6; want++ {
			m := next(t, tl)
			if m.Kind != tail.KindRequestLog || m.RequestLog.Path != fmt.Sprintf("/%d", want) {
				t.Fatalf("message %d: %v %s, want the request log of /%d", want, m.Kind, m.Value, want)
			}
		}
	})
	t.Run("no window", func(t *testing.T) {
		tl := open(t, tail.Config{Brokers: brokers, Topics: []string{"logging"}})
		last := map[int32]int64{0: -1, 1: -1, 2: -1}
		for range 6 {
			m := next(t, tl)
			if m.Offset <= last[m.Partition] {
				t.Errorf("partition %d: offset %d after %d", m.Partition, m.Offset, last[m.Partition])
			}
			last[m.Partition] = m.Offset
		}
	})
}

// A message that arrives later, on another partition, but happened earlier
// goes out first when it arrives within the window.
func TestOrderLateArrival(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(2, "logging"))
	tl := open(t, tail.Config{Brokers: brokers, Topics: []string{"logging"}, Since: time.Now(), Window: 2 * time.Second})
	produce(t, brokers, "logging", []int32{0}, requestLog(2))
	time.Sleep(50 * time.Millisecond)
	produce(t, brokers, "logging", []int32{1}, requestLog(1))
	for _, want := range []string{"/1", "/2"} {
		if m := next(t, tl); m.RequestLog == nil || m.RequestLog.Path != want {
			t.Fatalf("got %s, want the request log of %s", m.Value, want)
		}
	}
}

// With no topics, every topic is read, new ones included; Since skips what
// was there before.
func TestAllTopicsSince(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "logging"))
	produce(t, brokers, "logging", nil, requestLog(1))
	time.Sleep(10 * time.Millisecond) // record timestamps have millisecond resolution
	tl := open(t, tail.Config{Brokers: brokers, Since: time.Now()})
	event := []byte(`{"source":"orders","event_type":"entity_created","event_subtype":"root","payload":{"id":10},"timestamp":"2026-11-27T05:03:52.537020Z"}`)
	produce(t, brokers, "entity_created", nil, event) // a new topic
	m := next(t, tl)
	if m.Kind != tail.KindEvent || m.Topic != "entity_created" || m.Event.EventSubtype != "root" {
		t.Fatalf("got %v %s on %s, want the event", m.Kind, m.Value, m.Topic)
	}
}

func TestNextAfterClose(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "logging"))
	tl := open(t, tail.Config{Brokers: brokers, Topics: []string{"logging"}})
	go func() {
		time.Sleep(100 * time.Millisecond)
		tl.Close()
	}()
	if _, err := tl.Next(t.Context()); !errors.Is(err, tail.ErrClosed) {
		t.Errorf("Next after Close: %v, want ErrClosed", err)
	}
}

// A Since before 1970 reads from the start: its negative Unix milliseconds
// are not sent to the broker, where -1 and -2 mean the end and the start
// of a partition (-since 1969-12-31T23:59:59.999Z read nothing written).
func TestSinceBefore1970ReadsFromTheStart(t *testing.T) {
	for _, since := range []time.Time{time.UnixMilli(-1), time.UnixMilli(-3), time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)} {
		t.Run(since.UTC().Format(time.RFC3339Nano), func(t *testing.T) {
			brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "logging"))
			produce(t, brokers, "logging", nil, requestLog(1))
			tl := open(t, tail.Config{Brokers: brokers, Topics: []string{"logging"}, Since: since})
			if m := next(t, tl); m.Kind != tail.KindRequestLog {
				t.Fatalf("got %v %s, want the request log", m.Kind, m.Value)
			}
		})
	}
}

// FromOffset starts every partition there (Since is zero: the zero time
// is before 1970 and must not take its place).
func TestFromOffset(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "logging"))
	produce(t, brokers, "logging", nil, requestLog(0), requestLog(1), requestLog(2))
	if m := next(t, open(t, tail.Config{Brokers: brokers, Topics: []string{"logging"}, FromOffset: 2})); m.Offset != 2 {
		t.Errorf("FromOffset 2: first message at offset %d", m.Offset)
	}
}
