package exporter_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// teeSink records what reaches the producer, then produces it.
type teeSink struct {
	kafkasink.Sink
	mu   sync.Mutex
	msgs []kafkasink.Message
}

func (s *teeSink) Produce(ctx context.Context, m kafkasink.Message, done func(error)) {
	s.mu.Lock()
	s.msgs = append(s.msgs, kafkasink.Message{Topic: m.Topic, Value: append([]byte(nil), m.Value...)})
	s.mu.Unlock()
	s.Sink.Produce(ctx, m, done)
}

func (s *teeSink) messages(topic string) []kafkasink.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return byTopic(s.msgs, topic)
}

// debugEverything installs h as the default slog handler, at Debug, for the
// rest of t: the README's "see every message" setting.
func debugEverything(t *testing.T, h slog.Handler) {
	prev := slog.Default()
	slog.SetDefault(slog.New(h))
	t.Cleanup(func() { slog.SetDefault(prev) })
}

// selfLoggingPipeline is the production pipeline, with every default (the
// producer and the processor log to slog.Default at Debug), over the embedded
// broker, with what reaches the producer recorded.
func selfLoggingPipeline(t *testing.T) (*teeSink, *exporter.Processor, *sdktrace.TracerProvider) {
	t.Helper()
	producer, err := kafkasink.New(kafkasink.WithBrokers(otelrelayertest.Cluster(t)...), kafkasink.WithoutEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	sink := &teeSink{Sink: producer}
	tp, p := otelrelayertest.Pipeline(t, sink, exporter.WithoutDefault())
	return sink, p, tp
}

func debugText() slog.Handler {
	return slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug})
}

// Issue 11, point 1: with bridge.NewSlogHandler as the default handler at
// Debug, the library's own Debug lines (each produced message) never become
// request lines or messages: an Emit adds one line, and a Log from a span
// that outlived its request writes one request log, not a cascade.
func TestOwnDebugLogNeverReentersThroughSlogHandler(t *testing.T) {
	debugEverything(t, bridge.NewSlogHandler(debugText()))
	sink, _, tp := selfLoggingPipeline(t)
	tracer := tp.Tracer("t")

	ctx, root := tracer.Start(t.Context(), "job")
	if err := bridge.Emit(ctx, "orders", "created", map[string]any{"id": 1}); err != nil {
		t.Fatal(err)
	}
	childCtx, child := tracer.Start(ctx, "background work")
	root.End()
	logs := sink.messages("logging")
	if len(logs) != 1 {
		t.Fatalf("%d request logs for one request, want 1", len(logs))
	}
	var l wire.RequestLog
	if err := json.Unmarshal(logs[0].Value, &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Lines) != 1 || l.Lines[0].EventType != "orders" {
		t.Errorf("request log lines %s, want only the event", logs[0].Value)
	}

	// The child outlives its request: its Log is a one-line request log.
	if err := bridge.Log(childCtx, "info", "late"); err != nil {
		t.Fatal(err)
	}
	child.End()
	if logs := sink.messages("logging"); len(logs) != 2 {
		t.Fatalf("%d request logs after one late Log, want 2 (the request's and the late line's)", len(logs))
	}
	if n := len(sink.messages("orders")); n != 1 {
		t.Errorf("%d events, want 1", n)
	}
}

// logBridge is what otelslog does: slog records become Logs SDK records,
// with the trace context of the context they are logged with.
type logBridge struct{ logger log.Logger }

func (b logBridge) Enabled(context.Context, slog.Level) bool { return true }
func (b logBridge) Handle(ctx context.Context, r slog.Record) error {
	var rec log.Record
	rec.SetBody(attribute.StringValue(r.Message))
	rec.SetSeverity(log.SeverityDebug)
	rec.SetTimestamp(r.Time)
	b.logger.Emit(ctx, rec)
	return nil
}
func (b logBridge) WithAttrs([]slog.Attr) slog.Handler { return b }
func (b logBridge) WithGroup(string) slog.Handler      { return b }

// Issue 11, point 1, through the Logs SDK: with an otelslog-like bridge as the
// default handler and the processor's LogProcessor in the LoggerProvider,
// the producer's Debug lines are not added to the request.
func TestOwnDebugLogNeverReentersThroughLogProcessor(t *testing.T) {
	var lp *sdklog.LoggerProvider
	debugEverything(t, logBridge{logger: loggerOf(&lp)})
	sink, p, tp := selfLoggingPipeline(t)
	lp = sdklog.NewLoggerProvider(sdklog.WithProcessor(p.LogProcessor()))
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })

	ctx, root := tp.Tracer("t").Start(t.Context(), "job")
	if err := bridge.Emit(ctx, "orders", "created", map[string]any{"id": 1}); err != nil {
		t.Fatal(err)
	}
	slog.InfoContext(ctx, "the service's own line")
	root.End()
	logs := sink.messages("logging")
	if len(logs) != 1 {
		t.Fatalf("%d request logs, want 1", len(logs))
	}
	var l wire.RequestLog
	if err := json.Unmarshal(logs[0].Value, &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Lines) != 2 || l.Lines[0].EventType != "orders" || !strings.Contains(string(l.Lines[1].Payload), "the service's own line") {
		t.Errorf("request log lines %s, want the event and the service's line", logs[0].Value)
	}
}

// loggerOf returns a logger that emits to *lp once it is set: the default
// handler must be installed before the pipeline (which takes slog.Default
// at construction), and the LoggerProvider needs the pipeline's processor.
func loggerOf(lp **sdklog.LoggerProvider) log.Logger {
	return &lateLogger{lp: lp}
}

type lateLogger struct {
	log.Logger // nil: only Emit and Enabled are called
	lp         **sdklog.LoggerProvider
	once       sync.Once
	l          log.Logger
}

func (l *lateLogger) get() log.Logger {
	if *l.lp == nil {
		return nil
	}
	l.once.Do(func() { l.l = (*l.lp).Logger("app") })
	return l.l
}

func (l *lateLogger) Emit(ctx context.Context, r log.Record) {
	if lg := l.get(); lg != nil {
		lg.Emit(ctx, r)
	}
}

func (l *lateLogger) Enabled(ctx context.Context, p log.EnabledParameters) bool {
	lg := l.get()
	return lg != nil && lg.Enabled(ctx, p)
}

// naiveHandler turns every record into a request line with bridge.Log, as a
// user might write it; it stops after 100 records so that a loop shows as a
// count, not as a stack overflow.
type naiveHandler struct{ calls *atomic.Int32 }

func (h naiveHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h naiveHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.calls.Add(1) <= 100 {
		_ = bridge.Log(ctx, "debug", r.Message)
	}
	return nil
}
func (h naiveHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h naiveHandler) WithGroup(string) slog.Handler      { return h }

// Issue 11, point 1, whatever handler: one that calls bridge.Log for every
// record, on whatever context it gets, with the processor as the default
// pipeline (so a context without a span still reaches it).
func TestOwnDebugLogNeverReentersThroughANaiveHandler(t *testing.T) {
	var calls atomic.Int32
	debugEverything(t, naiveHandler{&calls})
	producer, err := kafkasink.New(kafkasink.WithBrokers(otelrelayertest.Cluster(t)...), kafkasink.WithoutEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	sink := &teeSink{Sink: producer}
	tp, _ := otelrelayertest.Pipeline(t, sink) // the default pipeline

	ctx, root := tp.Tracer("t").Start(t.Context(), "job")
	if err := bridge.Emit(ctx, "orders", "created", 1); err != nil {
		t.Fatal(err)
	}
	slog.InfoContext(ctx, "the service's own line")
	root.End()
	if n := len(sink.messages("logging")); n != 1 {
		t.Fatalf("%d request logs, want 1 (%d records reached the handler)", n, calls.Load())
	}
	var l wire.RequestLog
	if err := json.Unmarshal(sink.messages("logging")[0].Value, &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Lines) != 2 || l.Lines[0].EventType != "orders" || !strings.Contains(string(l.Lines[1].Payload), "the service's own line") {
		t.Errorf("request log lines %+v, want the event and the service's line", l.Lines)
	}
	// The service's line, the two produced messages and the processor's
	// request-log line: each reached the handler once.
	if n := calls.Load(); n != 4 {
		t.Errorf("%d records reached the handler, want 4", n)
	}
}
