package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// TestServiceWritesEventAndRequestLog runs the README's program as it is,
// with its defaults, against an embedded broker: a created order yields one
// event and one request log holding the event and the log line, and a
// graceful shutdown returns no error.
func TestServiceWritesEventAndRequestLog(t *testing.T) {
	brokers := otelrelayertest.Cluster(t)
	t.Setenv("KAFKA_BROKERS", strings.Join(brokers, ","))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln) }()

	tests := []struct {
		name, body string
		status     int
	}{
		{"created", `{"id":"o-1","item":"book"}`, http.StatusCreated},
		{"invalid", `{"id":`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		resp, err := http.Post("http://"+ln.Addr().String()+"/orders", "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	records := readTopics(t, brokers, "order_created", "logging")
	if got := len(records["order_created"]); got != 1 {
		t.Fatalf("%d events, want 1", got)
	}
	var ev wire.Event
	if err := json.Unmarshal(records["order_created"][0].Value, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Source != "orders" || ev.EventType != "order_created" || string(records["order_created"][0].Key) != "o-1" {
		t.Errorf("event %+v with key %q, want source orders, type order_created, key o-1", ev, records["order_created"][0].Key)
	}
	levels := map[int][]string{} // status -> line kinds
	for _, r := range records["logging"] {
		var l wire.RequestLog
		if err := json.Unmarshal(r.Value, &l); err != nil {
			t.Fatal(err)
		}
		for _, line := range l.Lines {
			kind := line.LogLevel
			if kind == "" {
				kind = "event " + line.EventType
			}
			levels[l.Status] = append(levels[l.Status], kind)
		}
	}
	want := map[int]string{http.StatusCreated: "event order_created, info", http.StatusBadRequest: "warning"}
	for status, lines := range want {
		if got := strings.Join(levels[status], ", "); got != lines {
			t.Errorf("request log of status %d: lines %q, want %q", status, got, lines)
		}
	}
	if len(levels) != len(want) {
		t.Errorf("request logs of statuses %v, want one per request", levels)
	}
}

// readTopics reads topics from the start until each has records and nothing
// new came for a second, or 15 seconds passed.
func readTopics(t *testing.T, brokers []string, topics ...string) map[string][]*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	got := map[string][]*kgo.Record{}
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		n := 0
		fs.EachRecord(func(r *kgo.Record) { got[r.Topic] = append(got[r.Topic], r); n++ })
		if n == 0 && len(got) == len(topics) {
			break
		}
	}
	return got
}
