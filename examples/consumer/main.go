// Command consumer shows a trace crossing Kafka: a producer emits
// order_created events inside its requests, a consumer processes each event
// as a request of its own (continuing the producer's trace with
// propagation.StartProcessSpan), emits a follow-up invoice_created event, and
// the program prints both request logs of each trace.
//
//	go run ./consumer    # embedded broker, no setup (or KAFKA_BROKERS)
//	go run ./consumer -spool /var/spool/consumer  # messages kept on disk until Kafka has them
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
	"github.com/otelrelayer/otelrelayer/propagation"
	"github.com/otelrelayer/otelrelayer/wire"
)

const orders = 3

func main() {
	demo.SpoolFlag(flag.CommandLine)
	flag.Parse()
	ctx := context.Background()
	brokers, stop, err := demo.Brokers()
	if err == nil {
		defer stop()
		err = run(ctx, brokers, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "consumer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, brokers []string, out io.Writer) error {
	tp, _, err := demo.Install(brokers, "shop")
	if err != nil {
		return err
	}
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tracer := tp.Tracer("consumer-example")

	// The producing side: requests that emit order_created.
	for i := 1; i <= orders; i++ {
		rctx, span := tracer.Start(ctx, "POST /orders")
		err := bridge.Emit(rctx, "order_created", "web", map[string]any{"id": i}, bridge.WithPartitionKey(fmt.Sprint(i)), bridge.WithAck())
		_ = bridge.Log(rctx, "info", map[string]any{"msg": "order stored", "id": i})
		span.End()
		if err != nil {
			return err
		}
	}

	// The consuming side: each event is processed in a span that continues
	// the producer's trace, so it gets a request log of its own with the
	// same trace ID.
	if err := consume(ctx, brokers, orders, func(r *kgo.Record) error {
		pctx, span := propagation.StartProcessSpan(ctx, r, propagation.WithConsumerGroup("billing"))
		defer span.End()
		var ev wire.Event
		if err := json.Unmarshal(r.Value, &ev); err != nil {
			return err
		}
		_ = bridge.Log(pctx, "info", map[string]any{"msg": "billing order", "order": ev.Payload})
		return bridge.Emit(pctx, "invoice_created", "billing", map[string]any{"order": ev.Payload})
	}); err != nil {
		return err
	}
	if err := tp.Shutdown(ctx); err != nil { // writes what is pending
		return err
	}
	return printTraces(ctx, brokers, out)
}

// consume processes n records of order_created as the consumer group
// "billing" would.
func consume(ctx context.Context, brokers []string, n int, process func(*kgo.Record) error) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumerGroup("billing"),
		kgo.ConsumeTopics("order_created"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for done := 0; done < n; {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("consumed %d of %d events: %w", done, n, err)
		}
		for _, r := range fs.Records() {
			if err := process(r); err != nil {
				return err
			}
			done++
		}
	}
	return nil
}
