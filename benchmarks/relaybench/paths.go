package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
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

// measurement is what one path did in one workload.
type measurement struct {
	requests  int64
	elapsed   time.Duration
	messages  int64 // produced to Kafka, to be found on the broker
	wireBytes int64 // bytes of produce requests written to the broker
}

// relayer is the full library path with default settings (and w.codec's
// compression when set).
func relayer(ctx context.Context, w workload) (measurement, error) {
	wire := new(wireCounter)
	sink, err := kafkasink.New(kafkasink.WithBrokers(w.brokers...), kafkasink.WithClientOptions(clientOpts(w, wire)...))
	if err != nil {
		return measurement{}, err
	}
	var failures atomic.Int64
	p, err := exporter.New("logging", sink, exporter.WithoutDefault(), exporter.WithErrorHandler(func(err error) {
		if failures.Add(1) == 1 {
			fmt.Println("first failure:", err)
		}
	}))
	if err != nil {
		return measurement{}, err
	}
	defer bridge.Unregister(p)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(p))
	defer func() { _ = tp.Shutdown(ctx) }()
	tracer := tp.Tracer("relaybench")
	_ = request(ctx, tracer, w.lines) // binds the processor to tp
	if err := tp.ForceFlush(ctx); err != nil {
		return measurement{}, err
	}
	wire.n.Store(0)

	var errs atomic.Int64
	start := time.Now()
	n := w.each(func() {
		if request(ctx, tracer, w.lines) != nil {
			errs.Add(1)
		}
	})
	if err := tp.ForceFlush(ctx); err != nil {
		return measurement{}, err
	}
	elapsed := time.Since(start)
	if errs.Load() > 0 || failures.Load() > 0 {
		return measurement{}, fmt.Errorf("%d calls and %d deliveries failed", errs.Load(), failures.Load())
	}
	return measurement{requests: n, elapsed: elapsed, messages: 2 * (n + 1), wireBytes: wire.n.Load()}, nil
}

// rawFranz produces, with a bare franz-go client, byte for byte the
// messages one otelrelayer request produces: the same two records every
// time, so every request log has the same key and goes to one partition.
func rawFranz(ctx context.Context, w workload) (measurement, error) {
	return produceRaw(ctx, w, nil)
}

// rawFranzKeyed is rawFranz with the request log keyed, as the relayer's
// are, by a trace ID that differs from request to request (drawn from 4,096
// prepared ones), so request logs spread over the topic's partitions.
func rawFranzKeyed(ctx context.Context, w workload) (measurement, error) {
	keys := make([][]byte, 4096)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "%032x", rand.Uint64())
	}
	return produceRaw(ctx, w, keys)
}

func produceRaw(ctx context.Context, w workload, keys [][]byte) (measurement, error) {
	msgs, err := oneRequestMessages(w.lines)
	if err != nil {
		return measurement{}, err
	}
	wire := new(wireCounter)
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(w.brokers...), kgo.AllowAutoTopicCreation()}, clientOpts(w, wire)...)...)
	if err != nil {
		return measurement{}, err
	}
	defer cl.Close()
	var failures atomic.Int64
	promise := func(_ *kgo.Record, err error) {
		if err != nil {
			failures.Add(1)
		}
	}
	start := time.Now()
	n := w.each(func() {
		for _, m := range msgs {
			key := m.Key
			if keys != nil && m.Topic == "logging" {
				key = keys[rand.IntN(len(keys))]
			}
			cl.Produce(ctx, &kgo.Record{Topic: m.Topic, Key: key, Value: m.Value, Headers: m.Headers}, promise)
		}
	})
	if err := cl.Flush(ctx); err != nil {
		return measurement{}, err
	}
	elapsed := time.Since(start)
	if failures.Load() > 0 {
		return measurement{}, fmt.Errorf("%d records failed", failures.Load())
	}
	return measurement{requests: n, elapsed: elapsed, messages: int64(len(msgs)) * n, wireBytes: wire.n.Load()}, nil
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
func otelSDK(ctx context.Context, w workload) (measurement, error) {
	exp, err := stdouttrace.New(stdouttrace.WithWriter(io.Discard))
	if err != nil {
		return measurement{}, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithSpanProcessor(sdktrace.NewBatchSpanProcessor(exp, sdktrace.WithBlocking())))
	defer func() { _ = tp.Shutdown(ctx) }()
	tracer := tp.Tracer("relaybench")
	body, err := json.Marshal(payload)
	if err != nil {
		return measurement{}, err
	}
	emitAttrs := trace.WithAttributes(
		attribute.String("relayer.event_type", "entity_created"),
		attribute.String("relayer.event_subtype", "root"),
		attribute.String("relayer.payload", string(body)),
	)
	logAttrs := trace.WithAttributes(attribute.String("relayer.log_level", "info"), attribute.String("relayer.payload", `"created root"`))
	start := time.Now()
	n := w.each(func() {
		_, span := tracer.Start(ctx, "request")
		span.AddEvent("relayer.emit", emitAttrs)
		for range w.lines {
			span.AddEvent("relayer.log", logAttrs)
		}
		span.End()
	})
	if err := tp.ForceFlush(ctx); err != nil {
		return measurement{}, err
	}
	return measurement{requests: n, elapsed: time.Since(start)}, nil
}

// clientOpts are the franz-go options the harness adds to the defaults: a
// hook counting bytes on the wire, and w.codec's compression and w.linger
// when set.
func clientOpts(w workload, wire *wireCounter) []kgo.Opt {
	opts := []kgo.Opt{kgo.WithHooks(wire)}
	if w.codec != "" {
		opts = append(opts, kgo.ProducerBatchCompression(codecs[w.codec]))
	}
	if w.linger > 0 {
		opts = append(opts, kgo.ProducerLinger(w.linger))
	}
	return opts
}

// codecs are the compression codecs -codecs can compare.
var codecs = map[string]kgo.CompressionCodec{
	"none":   kgo.NoCompression(),
	"gzip":   kgo.GzipCompression(),
	"snappy": kgo.SnappyCompression(),
	"lz4":    kgo.Lz4Compression(),
	"zstd":   kgo.ZstdCompression(),
}

// wireCounter counts the bytes of the produce requests a client writes.
type wireCounter struct{ n atomic.Int64 }

var _ kgo.HookBrokerWrite = (*wireCounter)(nil)

func (c *wireCounter) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, bytes int, _, _ time.Duration, err error) {
	if key == 0 && err == nil { // 0: Produce
		c.n.Add(int64(bytes))
	}
}
