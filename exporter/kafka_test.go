package exporter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// kafkaPipeline is the production setup against the embedded broker.
func kafkaPipeline(t *testing.T, opts ...exporter.Option) (brokers []string, tp *sdktrace.TracerProvider) {
	t.Helper()
	return kafkaPipelineOn(t, otelrelayertest.Cluster(t), opts...)
}

// kafkaPipelineOn is kafkaPipeline against the given brokers.
func kafkaPipelineOn(t *testing.T, brokers []string, opts ...exporter.Option) ([]string, *sdktrace.TracerProvider) {
	t.Helper()
	sink, err := kafkasink.New(kafkasink.WithBrokers(brokers...), kafkasink.WithoutEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	return brokers, newTracerProvider(t, sink, opts...)
}

// consume reads every record of topics until want records arrived.
func consume(t *testing.T, brokers []string, want int, topics ...string) map[string][]*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	got := map[string][]*kgo.Record{}
	n := 0
	for n < want {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records: %v", n, want, ctx.Err())
		}
		fs.EachError(func(topic string, _ int32, err error) { t.Logf("fetch %s: %v", topic, err) })
		fs.EachRecord(func(r *kgo.Record) {
			got[r.Topic] = append(got[r.Topic], r)
			n++
		})
	}
	return got
}

func recordHeader(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func TestOverKafka(t *testing.T) {
	brokers, tp := kafkaPipeline(t, exporter.WithTopicPrefix("pre."), exporter.WithTopicSuffix(".suf"), exporter.WithSource("orders"))
	tracer := tp.Tracer("test")
	orderID := uuid.MustParse("0193d4a5-3f1e-7b2c-9d4e-5f6a7b8c9d0e")

	// One HTTP-shaped request.
	hctx, hroot := tracer.Start(t.Context(), "POST /root", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
		attribute.String("http.method", "POST"), attribute.String("http.target", "/root?x=1"),
		attribute.String("http.user_agent", "ua/1"), attribute.String("net.sock.peer.addr", "127.0.0.1"),
		attribute.Int("http.status_code", 201), attribute.Int("http.response_content_length", 2),
	))
	if err := bridge.Emit(hctx, "entity_created", "root", map[string]any{"id": 10}, bridge.WithPartitionKey(orderID), bridge.WithAck()); err != nil {
		t.Fatal(err)
	}
	if err := bridge.Log(hctx, "info", "created root"); err != nil {
		t.Fatal(err)
	}
	hroot.End()

	// One RPC-shaped request.
	rctx, rroot := tracer.Start(t.Context(), "rpc", trace.WithAttributes(attribute.String("rpc.system", "grpc"),
		attribute.String("rpc.service", "RPCHandler"), attribute.String("rpc.method", "service_method")))
	if err := bridge.EmitRaw(rctx, "raw", map[string]any{"as": "is"}, bridge.WithPartitionKey("k")); err != nil {
		t.Fatal(err)
	}
	rroot.End()
	if err := tp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}

	got := consume(t, brokers, 4, "pre.entity_created.suf", "pre.raw.suf", "pre.logging.suf")
	ev := got["pre.entity_created.suf"]
	if len(ev) != 1 || string(ev[0].Key) != string(orderID[:]) {
		t.Fatalf("entity_created records: %v", ev)
	}
	var e wire.Event
	if err := json.Unmarshal(ev[0].Value, &e); err != nil {
		t.Fatal(err)
	}
	if e.Source != "orders" || e.EventType != "entity_created" || e.EventSubtype != "root" || string(e.Payload) != `{"id":10}` || time.Since(e.Timestamp.Time) > time.Minute {
		t.Errorf("event: %+v", e)
	}
	hsc := hroot.SpanContext()
	if tp := recordHeader(ev[0], "traceparent"); tp != fmt.Sprintf("00-%s-%s-01", hsc.TraceID(), hsc.SpanID()) {
		t.Errorf("traceparent = %q", tp)
	}
	if _, err := uuid.Parse(recordHeader(ev[0], wire.EventIDHeader)); err != nil {
		t.Errorf("relayer-event-id: %v", err)
	}

	raw := got["pre.raw.suf"]
	if len(raw) != 1 || string(raw[0].Value) != `{"as":"is"}` || string(raw[0].Key) != "k" {
		t.Fatalf("raw records: %v", raw)
	}

	logs := got["pre.logging.suf"]
	if len(logs) != 2 {
		t.Fatalf("got %d request logs, want 2", len(logs))
	}
	if string(logs[0].Key) != hsc.TraceID().String() { // partitions interleave
		logs[0], logs[1] = logs[1], logs[0]
	}
	var h, r wire.RequestLog
	_ = json.Unmarshal(logs[0].Value, &h)
	_ = json.Unmarshal(logs[1].Value, &r)
	if string(logs[0].Key) != hsc.TraceID().String() || string(logs[1].Key) != rroot.SpanContext().TraceID().String() || h.Method != "POST" || h.Path != "/root" || h.QueryString != "x=1" ||
		h.UserAgent != "ua/1" || h.RemoteAddr != "127.0.0.1" || h.Status != 201 || h.ContentLength != 2 ||
		h.LoggingTopic != "logging" || h.Source != "orders" || len(h.Lines) != 2 || h.Lines[1].LogLevel != "info" {
		t.Errorf("http request log: %s", logs[0].Value)
	}
	var rawLines struct{ Lines []json.RawMessage }
	_ = json.Unmarshal(logs[1].Value, &rawLines)
	if r.Service != "RPCHandler.service_method" || r.ServiceTime <= 0 || len(rawLines.Lines) != 1 || string(rawLines.Lines[0]) != `{"as":"is"}` {
		t.Errorf("rpc request log: %s", logs[1].Value)
	}
}

func TestOverKafkaConcurrentRequests(t *testing.T) {
	brokers, tp := kafkaPipeline(t)
	tracer := tp.Tracer("test")
	const requests = 40
	// Every other request continues one upstream trace: same trace ID,
	// separate request logs.
	upstream := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{0xab}, SpanID: trace.SpanID{0xcd}, TraceFlags: trace.FlagsSampled, Remote: true})
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			parent := t.Context()
			if i%2 == 1 {
				parent = trace.ContextWithRemoteSpanContext(parent, upstream)
			}
			ctx, span := tracer.Start(parent, fmt.Sprintf("job-%d", i))
			defer span.End()
			if err := bridge.Emit(ctx, "job_done", "ok", map[string]any{"job": i}, bridge.WithPartitionKey(fmt.Sprint(i))); err != nil {
				t.Error(err)
			}
			_ = bridge.Log(ctx, "info", map[string]any{"job": i})
		})
	}
	wg.Wait()
	if err := tp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := consume(t, brokers, 2*requests, "job_done", "logging")
	if len(got["job_done"]) != requests || len(got["logging"]) != requests {
		t.Fatalf("got %d events and %d request logs, want %d each", len(got["job_done"]), len(got["logging"]), requests)
	}
	for _, rec := range got["logging"] {
		var l wire.RequestLog
		if err := json.Unmarshal(rec.Value, &l); err != nil {
			t.Fatal(err)
		}
		var job int
		if _, err := fmt.Sscanf(l.Service, "job-%d", &job); err != nil || len(l.Lines) != 2 {
			t.Fatalf("request log %s", rec.Value)
		}
		if shared := l.TraceID == upstream.TraceID().String(); shared != (job%2 == 1) {
			t.Errorf("job %d: trace ID %s, upstream %v", job, l.TraceID, shared)
		}
		for _, line := range l.Lines {
			var p struct{ Job int }
			if err := json.Unmarshal(line.Payload, &p); err != nil || p.Job != job {
				t.Fatalf("%s holds a line of another request: %s", l.Service, line.Payload)
			}
		}
	}
}
