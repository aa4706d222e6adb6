package exporter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// With the default Producer (which releases messages, so the processor
// pools events and request-log values), every event and request log on the
// broker is the one produced, also when the broker refuses every third
// produce request so that franz-go sends records again: each request log's
// event line is the event on the broker with that ID, at every pooled size.
func TestPooledMessagesReachTheBrokerIntactWithRetries(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.SeedTopics(3, "order_created", otelrelayertest.LoggingTopic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	brokers := c.ListenAddrs()
	var requests atomic.Int64
	c.ControlKey(int16(kmsg.Produce), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if requests.Add(1)%3 != 0 {
			return nil, nil, false
		}
		req := kreq.(*kmsg.ProduceRequest)
		resp := req.ResponseKind().(*kmsg.ProduceResponse)
		for _, rt := range req.Topics {
			rtp := kmsg.NewProduceResponseTopic()
			rtp.Topic, rtp.TopicID = rt.Topic, rt.TopicID
			for _, rp := range rt.Partitions {
				pp := kmsg.NewProduceResponseTopicPartition()
				pp.Partition, pp.ErrorCode = rp.Partition, kerr.NotEnoughReplicas.Code
				rtp.Partitions = append(rtp.Partitions, pp)
			}
			resp.Topics = append(resp.Topics, rtp)
		}
		return resp, nil, true
	})
	sink, err := kafkasink.New(kafkasink.WithBrokers(brokers...), kafkasink.WithoutEnvironment(), kafkasink.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !sink.ReleasesMessages() {
		t.Fatal("the default producer does not release messages: nothing is pooled")
	}
	tp := newTracerProvider(t, sink, exporter.WithSource("shop"))
	tracer := tp.Tracer("t")
	const goroutines, each = 4, 250
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				n := g*each + i
				ctx, span := tracer.Start(context.Background(), fmt.Sprintf("request %d", n))
				if err := bridge.Emit(ctx, "order_created", "ok", map[string]any{"n": n, "pad": strings.Repeat("x", n%450)}); err != nil {
					t.Error(err)
				}
				if err := bridge.Log(ctx, "info", n); err != nil {
					t.Error(err)
				}
				span.End()
			}
		})
	}
	wg.Wait()
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	const total = goroutines * each
	got := consume(t, brokers, 2*total, "order_created", otelrelayertest.LoggingTopic)
	events := map[string]string{} // payload by event ID
	for _, r := range got["order_created"] {
		var e wire.Event
		if err := json.Unmarshal(r.Value, &e); err != nil {
			t.Fatalf("event %q: %v", r.Value, err)
		}
		events[recordHeader(r, wire.EventIDHeader)] = string(e.Payload)
	}
	var logs []kafkasink.Message
	for _, r := range got[otelrelayertest.LoggingTopic] {
		logs = append(logs, kafkasink.Message{Topic: r.Topic, Value: r.Value})
	}
	if len(events) != total || len(logs) != total {
		t.Fatalf("%d events with distinct IDs and %d request logs, want %d each", len(events), len(logs), total)
	}
	for _, l := range requestLogs(t, logs) {
		var n int
		if _, err := fmt.Sscanf(l.Service, "request %d", &n); err != nil || len(l.Lines) != 2 {
			t.Fatalf("request log %+v", l)
		}
		want := fmt.Sprintf(`{"n":%d,"pad":"%s"}`, n, strings.Repeat("x", n%450))
		if ev := l.Lines[0]; string(ev.Payload) != want || events[ev.EventID] != want {
			t.Fatalf("request %d: event line %s (ID %s), the broker's event with that ID %s; want %s", n, ev.Payload, ev.EventID, events[ev.EventID], want)
		}
		if string(l.Lines[1].Payload) != fmt.Sprint(n) {
			t.Fatalf("request %d: log line %s", n, l.Lines[1].Payload)
		}
	}
	if requests.Load() < 3 {
		t.Fatalf("%d produce requests: no record was sent again", requests.Load())
	}
}
