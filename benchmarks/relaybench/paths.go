package main

import (
	"context"
	"encoding/json"
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
	// loggingBytes are the bytes of the request logs produced (key, value,
	// headers), before compression.
	loggingBytes int64
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
	counted := &countingSink{OptionsSink: sink}
	opts := []exporter.Option{exporter.WithoutDefault()}
	if w.sampleRate > 0 {
		opts = append(opts, exporter.WithRequestLogSampling(w.sampleRate, 0))
	}
	p, err := exporter.New("logging", counted, append(opts, exporter.WithErrorHandler(func(err error) {
		if failures.Add(1) == 1 {
			fmt.Println("first failure:", err)
		}
	}))...)
	if err != nil {
		return measurement{}, err
	}
	defer bridge.Unregister(p)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(p))
	defer func() { _ = tp.Shutdown(ctx) }()
	tracer := tp.Tracer("relaybench")
	_ = w.request(ctx, tracer, 1) // binds the processor to tp
	if err := tp.ForceFlush(ctx); err != nil {
		return measurement{}, err
	}
	wire.n.Store(0)
	counted.loggingBytes.Store(0)

	var errs, seq atomic.Int64
	start := time.Now()
	n := w.each(func() {
		if w.request(ctx, tracer, seq.Add(1)) != nil {
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
	return measurement{requests: n, elapsed: elapsed, messages: counted.messages.Load(), wireBytes: wire.n.Load(), loggingBytes: counted.loggingBytes.Load()}, nil
}

// relayerSampled is relayer with WithRequestLogSampling(0.1, 0): the
// request logs of ordinary requests are kept one in ten.
func relayerSampled(ctx context.Context, w workload) (measurement, error) {
	w.sampleRate = 0.1
	return relayer(ctx, w)
}

// rawFranz produces, with a bare franz-go client, byte for byte the
// messages one otelrelayer request produces: the same two records every
// time, so every request log has the same key (one partition), and batches
// of identical records compress to almost nothing.
func rawFranz(ctx context.Context, w workload) (measurement, error) {
	return produceRaw(ctx, w, 1, nil)
}

// rawFranzDistinct is rawFranz over the messages of 4,096 recorded requests,
// drawn at random: trace IDs (the request logs' keys, hence partitions),
// event IDs and timestamps differ from request to request, as the
// relayer's do.
func rawFranzDistinct(ctx context.Context, w workload) (measurement, error) {
	return produceRaw(ctx, w, 4096, nil)
}

// floor is rawFranzDistinct plus the OpenTelemetry SDK's share of a relayer
// request: the same root span and span events (one relayer.emit with its
// four attributes, one relayer.log a line), with the SDK's timestamps, on a
// provider with a span processor that does nothing. It is what any library
// built as a span processor costs at least, doing nothing of its own, so
// ratio_floor_vs_raw_distinct bounds ratio_relayer_vs_raw_distinct from
// above.
func floor(ctx context.Context, w workload) (measurement, error) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())),
		sdktrace.WithSpanProcessor(noopProcessor{}))
	defer func() { _ = tp.Shutdown(ctx) }()
	tracer := tp.Tracer("relaybench")
	return produceRaw(ctx, w, 4096, func() { sdkRequest(ctx, tracer, w.lines) })
}

// produceRaw produces the recorded messages of distinct requests with a bare
// client, running span (when not nil) for each request first.
func produceRaw(ctx context.Context, w workload, distinct int, span func()) (measurement, error) {
	reqs, err := recordRequests(w.shape, distinct)
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
		if span != nil {
			span()
		}
		msgs := reqs[0]
		if len(reqs) > 1 {
			msgs = reqs[rand.IntN(len(reqs))]
		}
		for _, m := range msgs {
			cl.Produce(ctx, &kgo.Record{Topic: m.Topic, Key: m.Key, Value: m.Value, Headers: m.Headers}, promise)
		}
	})
	if err := cl.Flush(ctx); err != nil {
		return measurement{}, err
	}
	elapsed := time.Since(start)
	if failures.Load() > 0 {
		return measurement{}, fmt.Errorf("%d records failed", failures.Load())
	}
	return measurement{requests: n, elapsed: elapsed, messages: 2 * n, wireBytes: wire.n.Load()}, nil
}

// recordRequests records what n requests produce through the library: for
// each, its event and its request log.
func recordRequests(s shape, n int) ([][]kafkasink.Message, error) {
	sink := otelrelayertest.NewSink()
	p, err := exporter.New("logging", sink, exporter.WithoutDefault())
	if err != nil {
		return nil, err
	}
	defer bridge.Unregister(p)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysRecord(sdktrace.AlwaysSample())), sdktrace.WithSpanProcessor(p))
	for i := range n {
		if err := s.request(context.Background(), tp.Tracer("relaybench"), int64(i+1)); err != nil {
			return nil, err
		}
	}
	events, logs := sink.Messages("entity_created"), sink.Messages("logging")
	if len(events) != n || len(logs) != n {
		return nil, fmt.Errorf("%d requests produced %d events and %d request logs", n, len(events), len(logs))
	}
	reqs := make([][]kafkasink.Message, n)
	for i := range reqs {
		reqs[i] = []kafkasink.Message{events[i], logs[i]}
	}
	return reqs, nil
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
