package exporter_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// With the default Producer (which releases messages, so the processor
// pools events and request-log values), every event and request log on the
// broker is the one produced, also when the broker refuses the first and every third
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
	testkit.RefuseProduce(c, func() bool { return requests.Add(1)%3 == 1 }, kerr.NotEnoughReplicas.Code)
	sink, err := kafkasink.New(kafkasink.WithBrokers(brokers...), kafkasink.WithoutEnvironment(), kafkasink.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !sink.ReleasesMessages() {
		t.Fatal("the default producer does not release messages: nothing is pooled")
	}
	tp := newTracerProvider(t, sink, exporter.WithSource("shop"))
	tracer := tp.Tracer("t")
	const goroutines, each, padMod = 4, 250, 450
	numberedRequests(t, tracer, goroutines, each, padMod)
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	const total = goroutines * each
	got := consume(t, brokers, 2*total, "order_created", otelrelayertest.LoggingTopic)
	var events, logs []kafkasink.Message
	for _, r := range got["order_created"] {
		events = append(events, kafkasink.Message{Topic: r.Topic, Value: r.Value, Headers: r.Headers})
	}
	for _, r := range got[otelrelayertest.LoggingTopic] {
		logs = append(logs, kafkasink.Message{Topic: r.Topic, Value: r.Value})
	}
	checkNumberedRequests(t, events, logs, total, padMod)
	if requests.Load() < 2 { // the first, refused, and its retry
		t.Fatalf("%d produce requests: no record was sent again", requests.Load())
	}
}
