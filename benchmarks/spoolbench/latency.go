package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// pacedEmits offers requests to the default spool at a fixed rate for
// duration (an open loop: arrivals do not wait for earlier requests, as a
// server's do not) and returns how long each Emit took. concurrency
// goroutines serve the arrivals; one that finds them all busy waits in a
// queue, and only its Emit is timed, not the wait.
func pacedEmits(ctx context.Context, brokers []string, rate float64, duration time.Duration, concurrency int, dir string) ([]time.Duration, error) {
	d, err := os.MkdirTemp(dir, "spoolbench-paced-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(d)
	sink, err := kafkasink.New(kafkasink.WithBrokers(brokers...), kafkasink.WithLogger(nil), kafkasink.WithSpool(d))
	if err != nil {
		return nil, err
	}
	var failures atomic.Int64
	pr, err := exporter.New("logging", sink, exporter.WithoutDefault(), exporter.WithErrorHandler(func(error) { failures.Add(1) }))
	if err != nil {
		return nil, err
	}
	defer bridge.Unregister(pr)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(pr))
	defer func() { _ = tp.Shutdown(ctx) }()
	tracer := tp.Tracer("spoolbench")
	_ = request(ctx, tracer) // binds the processor to tp

	arrivals := make(chan struct{}, 1<<16)
	var mu sync.Mutex
	var took []time.Duration
	var errs atomic.Int64
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			var mine []time.Duration
			for range arrivals {
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
	start := time.Now()
	var sent int64
	for elapsed := time.Duration(0); elapsed < duration; elapsed = time.Since(start) {
		for due := int64(elapsed.Seconds() * rate); sent < due; sent++ {
			arrivals <- struct{}{}
		}
		time.Sleep(200 * time.Microsecond)
	}
	close(arrivals)
	wg.Wait()
	if err := tp.ForceFlush(ctx); err != nil {
		return nil, err
	}
	if n, f := errs.Load(), failures.Load(); n > 0 || f > 0 {
		return nil, fmt.Errorf("paced: %d requests and %d deliveries failed", n, f)
	}
	slices.Sort(took)
	return took, nil
}

// quantileMillis is the q quantile of sorted durations, in milliseconds.
func quantileMillis(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(q*float64(len(sorted)-1))]) / float64(time.Millisecond)
}
