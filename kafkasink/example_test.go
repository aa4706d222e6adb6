package kafkasink_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

func Example() {
	// An embedded broker on loopback; in production, pass your cluster's
	// addresses to WithBrokers.
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(1))
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()

	ctx := context.Background()
	p, err := kafkasink.New(kafkasink.WithBrokers(cluster.ListenAddrs()...))
	if err != nil {
		log.Fatal(err)
	}
	p.Produce(ctx, kafkasink.Message{
		Topic:   "entity_created",
		Key:     []byte("order-10"),
		Value:   []byte(`{"id":10}`),
		Headers: []kafkasink.Header{{Key: "relayer-event-id", Value: []byte("event-1")}},
	}, func(err error) {
		// Called once, from the producer's goroutine, and before Close returns.
		if err != nil {
			fmt.Println("not delivered:", err)
		}
	})
	// Close flushes: every message produced before it is delivered or failed.
	if err := p.Close(ctx); err != nil {
		log.Fatal(err)
	}

	// Read the message back.
	consumer, err := kgo.NewClient(
		kgo.SeedBrokers(cluster.ListenAddrs()...),
		kgo.ConsumeTopics("entity_created"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer consumer.Close()
	pollCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	consumer.PollFetches(pollCtx).EachRecord(func(r *kgo.Record) {
		fmt.Printf("%s %s %s %s=%s\n", r.Topic, r.Key, r.Value, r.Headers[0].Key, r.Headers[0].Value)
	})
	// Output:
	// entity_created order-10 {"id":10} relayer-event-id=event-1
}

func ExampleNew_configurationError() {
	_, err := kafkasink.New(kafkasink.WithBrokers("127.0.0.1:9092"), kafkasink.WithMaxBufferedRecords(0))
	fmt.Println(errors.Is(err, kafkasink.ErrConfiguration))
	fmt.Println(err)
	// Output:
	// true
	// kafkasink: invalid configuration: WithMaxBufferedRecords(0) must be at least 1
}
