package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// measureDrain fills a spool with backlog requests while no broker listens
// (a Kafka outage), shuts that pipeline down, then opens a new one on the
// same directory against the broker and times each Emit of requests made
// while the backlog drains: the default spool mode, where Emit waits for
// the commit that also deletes acknowledged records.
func measureDrain(ctx context.Context, brokers []string, backlog, requests, concurrency int, dir string) error {
	d, err := os.MkdirTemp(dir, "spoolbench-drain-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(d)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	away := ln.Addr().String() // nothing listens there once closed
	ln.Close()

	tp, tracer, failures, err := drainPipeline([]string{away}, d)
	if err != nil {
		return err
	}
	fillStart := time.Now()
	if _, err := drive(ctx, tracer, backlog, concurrency); err != nil {
		return err
	}
	fillTook := time.Since(fillStart)
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_ = tp.Shutdown(sctx) // records stay on disk for the next pipeline
	if n := failures.Load(); n > 0 {
		return fmt.Errorf("drain: %d deliveries failed while the broker was away", n)
	}

	tp, tracer, failures, err = drainPipeline(brokers, d)
	if err != nil {
		return err
	}
	defer func() { _ = tp.Shutdown(ctx) }()
	start := time.Now()
	took, err := drive(ctx, tracer, requests, concurrency)
	if err != nil {
		return err
	}
	during := time.Since(start)
	if err := tp.ForceFlush(ctx); err != nil {
		return err
	}
	total := time.Since(start)
	if n := failures.Load(); n > 0 {
		return fmt.Errorf("drain: %d deliveries failed", n)
	}
	slices.Sort(took)
	at := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))]) / 1e6 }
	fmt.Printf("\ndrain: %d requests spooled while the broker was away (%.0f/s), then %d requests while they drain\n", backlog, float64(backlog)/fillTook.Seconds(), requests)
	fmt.Printf("drain_requests_per_s %.0f\n", float64(requests)/during.Seconds())
	fmt.Printf("drain_emit_p50_ms %.2f\n", at(0.5))
	fmt.Printf("drain_emit_p99_ms %.2f\n", at(0.99))
	fmt.Printf("drain_emit_max_ms %.2f\n", at(1))
	fmt.Printf("drain_total_s %.2f\n", total.Seconds())
	return nil
}

func drainPipeline(brokers []string, dir string) (*sdktrace.TracerProvider, trace.Tracer, *atomic.Int64, error) {
	sink, err := kafkasink.New(kafkasink.WithBrokers(brokers...), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		return nil, nil, nil, err
	}
	failures := new(atomic.Int64)
	pr, err := exporter.New("logging", sink, exporter.WithoutDefault(), exporter.WithErrorHandler(func(err error) {
		if failures.Add(1) == 1 {
			fmt.Println("first failure:", err)
		}
	}))
	if err != nil {
		return nil, nil, nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(pr))
	tracer := tp.Tracer("spoolbench")
	_ = request(context.Background(), tracer) // binds the processor to tp
	return tp, tracer, failures, nil
}

// drive runs requests from concurrency goroutines and returns how long each
// Emit took.
func drive(ctx context.Context, tracer trace.Tracer, requests, concurrency int) ([]time.Duration, error) {
	var next, errs atomic.Int64
	var mu sync.Mutex
	var took []time.Duration
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			var mine []time.Duration
			for next.Add(1) <= int64(requests) {
				ctx, span := tracer.Start(ctx, "request")
				t := time.Now()
				err := bridge.Emit(ctx, "entity_created", "root", payload)
				mine = append(mine, time.Since(t))
				if err == nil {
					err = bridge.Log(ctx, "info", "created root")
				}
				span.End()
				if err != nil {
					errs.Add(1)
				}
			}
			mu.Lock()
			took = append(took, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if n := errs.Load(); n > 0 {
		return nil, fmt.Errorf("%d requests failed", n)
	}
	return took, nil
}
