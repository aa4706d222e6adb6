package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// request is what one request does through otelrelayer.
func request(ctx context.Context, tracer trace.Tracer, lines int) error {
	ctx, span := tracer.Start(ctx, "request")
	defer span.End()
	if err := bridge.Emit(ctx, "entity_created", "root", payload); err != nil {
		return err
	}
	for range lines {
		if err := bridge.Log(ctx, "info", "created root"); err != nil {
			return err
		}
	}
	return nil
}

// relayer is the full library path with default settings.
func relayer(ctx context.Context, brokers []string, w workload) (time.Duration, error) {
	sink, err := kafkasink.New(kafkasink.WithBrokers(brokers...))
	if err != nil {
		return 0, err
	}
	var failures atomic.Int64
	p, err := exporter.New("logging", sink, exporter.WithoutDefault(), exporter.WithErrorHandler(func(err error) {
		if failures.Add(1) == 1 {
			fmt.Println("first failure:", err)
		}
	}))
	if err != nil {
		return 0, err
	}
	defer bridge.Unregister(p)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(p))
	defer func() { _ = tp.Shutdown(ctx) }()
	tracer := tp.Tracer("relaybench")
	_ = request(ctx, tracer, w.lines) // binds the processor to tp
	if err := tp.ForceFlush(ctx); err != nil {
		return 0, err
	}

	var errs atomic.Int64
	start := time.Now()
	w.each(func(int) {
		if request(ctx, tracer, w.lines) != nil {
			errs.Add(1)
		}
	})
	if err := tp.ForceFlush(ctx); err != nil {
		return 0, err
	}
	elapsed := time.Since(start)
	if errs.Load() > 0 || failures.Load() > 0 {
		return 0, fmt.Errorf("%d calls and %d deliveries failed", errs.Load(), failures.Load())
	}
	return elapsed, nil
}

// rawFranz produces, with a bare franz-go client, byte for byte the
// messages one otelrelayer request produces.
func rawFranz(ctx context.Context, brokers []string, w workload) (time.Duration, error) {
	msgs, err := oneRequestMessages(w.lines)
	if err != nil {
		return 0, err
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation())
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	var failures atomic.Int64
	promise := func(_ *kgo.Record, err error) {
		if err != nil {
			failures.Add(1)
		}
	}
	start := time.Now()
	w.each(func(int) {
		for _, m := range msgs {
			cl.Produce(ctx, &kgo.Record{Topic: m.Topic, Key: m.Key, Value: m.Value, Headers: m.Headers}, promise)
		}
	})
	if err := cl.Flush(ctx); err != nil {
		return 0, err
	}
	elapsed := time.Since(start)
	if failures.Load() > 0 {
		return 0, fmt.Errorf("%d records failed", failures.Load())
	}
	return elapsed, nil
}

// oneRequestMessages records what one request produces.
func oneRequestMessages(lines int) ([]kafkasink.Message, error) {
	sink := otelrelayertest.NewSink()
	p, err := exporter.New("logging", sink, exporter.WithoutDefault())
	if err != nil {
		return nil, err
	}
	defer bridge.Unregister(p)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(p))
	if err := request(context.Background(), tp.Tracer("relaybench"), lines); err != nil {
		return nil, err
	}
	msgs := append(sink.Messages("entity_created"), sink.Messages("logging")...)
	if len(msgs) != 2 {
		return nil, errors.New("one request did not produce one event and one request log")
	}
	return msgs, nil
}

// otelSDK exports the same span and span events with the SDK's batch
// processor and its standard JSON exporter, writing to io.Discard. The
// processor blocks instead of dropping spans, which would flatter it.
func otelSDK(ctx context.Context, _ []string, w workload) (time.Duration, error) {
	exp, err := stdouttrace.New(stdouttrace.WithWriter(io.Discard))
	if err != nil {
		return 0, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithSpanProcessor(sdktrace.NewBatchSpanProcessor(exp, sdktrace.WithBlocking())))
	defer func() { _ = tp.Shutdown(ctx) }()
	tracer := tp.Tracer("relaybench")
	body, err := json.Marshal(payload)
	if err != nil {
		return 0, err
	}
	emitAttrs := trace.WithAttributes(
		attribute.String("relayer.event_type", "entity_created"),
		attribute.String("relayer.event_subtype", "root"),
		attribute.String("relayer.payload", string(body)),
	)
	logAttrs := trace.WithAttributes(attribute.String("relayer.log_level", "info"), attribute.String("relayer.payload", `"created root"`))
	start := time.Now()
	w.each(func(int) {
		_, span := tracer.Start(ctx, "request")
		span.AddEvent("relayer.emit", emitAttrs)
		for range w.lines {
			span.AddEvent("relayer.log", logAttrs)
		}
		span.End()
	})
	if err := tp.ForceFlush(ctx); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
