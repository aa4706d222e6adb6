package exporter_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

var timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

func TestEventMessageIsTheDesignJSON(t *testing.T) {
	rec := otelrelayertest.New(t, exporter.WithSource("orders"))
	ctx, span := rec.Tracer().Start(t.Context(), "job")
	if err := bridge.Emit(ctx, "entity_created", "root", map[string]any{"id": 10}, bridge.WithPartitionKey("k1")); err != nil {
		t.Fatal(err)
	}
	span.End()

	msgs := rec.Messages("entity_created")
	if len(msgs) != 1 {
		t.Fatalf("got %d messages on entity_created, want 1 (topics %v)", len(msgs), rec.Topics())
	}
	m := msgs[0]
	var body map[string]json.RawMessage
	if err := json.Unmarshal(m.Value, &body); err != nil {
		t.Fatal(err)
	}
	var ts string
	_ = json.Unmarshal(body["timestamp"], &ts)
	if !timestampRE.MatchString(ts) {
		t.Errorf("timestamp %q is not in the wire format", ts)
	}
	want := `{"source":"orders","event_type":"entity_created","event_subtype":"root","payload":{"id":10},"timestamp":"` + ts + `"}`
	if string(m.Value) != want {
		t.Errorf("event body\n got %s\nwant %s", m.Value, want)
	}
	if string(m.Key) != "k1" {
		t.Errorf("key = %q, want k1", m.Key)
	}
	sc := span.SpanContext()
	wantTP := fmt.Sprintf("00-%s-%s-01", sc.TraceID(), sc.SpanID())
	if got := header(m.Headers, "traceparent"); got != wantTP {
		t.Errorf("traceparent = %q, want %q", got, wantTP)
	}
	if id := header(m.Headers, wire.EventIDHeader); !uuidV7RE.MatchString(id) {
		t.Errorf("relayer-event-id = %q, want a UUIDv7", id)
	}
}

var uuidV7RE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func header(hs []kafkasink.Header, key string) string {
	for _, h := range hs {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func TestCloudEventsHeaders(t *testing.T) {
	tests := []struct {
		name string
		opts []exporter.Option
		want bool
	}{
		{"off by default", nil, false},
		{"WithCloudEvents", []exporter.Option{exporter.WithCloudEvents()}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := otelrelayertest.New(t, append(tt.opts, exporter.WithSource("orders"))...)
			ctx, span := rec.Tracer().Start(t.Context(), "job")
			if err := bridge.Emit(ctx, "entity_created", "root", 1); err != nil {
				t.Fatal(err)
			}
			span.End()
			ev := rec.Messages("entity_created")[0]
			id := header(ev.Headers, wire.EventIDHeader)
			if got := header(ev.Headers, "ce_id") != ""; got != tt.want {
				t.Fatalf("ce_id present: %v, want %v", got, tt.want)
			}
			if !tt.want {
				return
			}
			var e wire.Event
			_ = json.Unmarshal(ev.Value, &e)
			want := map[string]string{
				"ce_specversion": "1.0", "ce_id": id, "ce_source": "orders", "ce_type": "entity_created",
				"ce_subject": "root", "ce_time": e.Timestamp.UTC().Format("2006-01-02T15:04:05.000000Z"), "content-type": "application/json",
			}
			for k, v := range want {
				if got := header(ev.Headers, k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if got := header(rec.Messages("logging")[0].Headers, "ce_type"); got != wire.RequestLogType {
				t.Errorf("request log ce_type = %q", got)
			}
		})
	}
}

func TestHTTPRootRequestLog(t *testing.T) {
	rec := otelrelayertest.New(t, exporter.WithSource("orders"))
	ctx, root := rec.Tracer().Start(t.Context(), "POST /root", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
		attribute.String("http.request.method", "POST"),
		attribute.String("url.path", "/root"),
		attribute.String("url.query", "x=1"),
		attribute.String("user_agent.original", "ua/1"),
		attribute.String("client.address", "127.0.0.1"),
		attribute.StringSlice("http.request.header.x-forwarded-for", []string{"10.0.0.1"}),
		attribute.StringSlice("http.request.header.x-request-id", []string{"req-1"}),
	))
	if err := bridge.Emit(ctx, "entity_created", "root", map[string]any{"id": 10}); err != nil {
		t.Fatal(err)
	}
	if err := bridge.Log(ctx, "info", "created root"); err != nil {
		t.Fatal(err)
	}
	root.SetAttributes(attribute.Int("http.response.status_code", 200), attribute.Int("http.response.body.size", 2))
	root.End()

	logs := rec.RequestLogs()
	if len(logs) != 1 {
		t.Fatalf("got %d request logs, want 1", len(logs))
	}
	l := logs[0]
	sc := root.SpanContext()
	if l.Source != "orders" || l.LoggingTopic != "logging" || l.UserAgent != "ua/1" || l.Method != "POST" ||
		l.Path != "/root" || l.QueryString != "x=1" || l.RemoteAddr != "127.0.0.1" || l.XForwardedFor != "10.0.0.1" ||
		l.RequestID != "req-1" || l.Status != 200 || l.ContentLength != 2 || l.RequestTime <= 0 ||
		l.TraceID != sc.TraceID().String() || l.SpanID != sc.SpanID().String() || l.DroppedLines != 0 || l.Service != "" {
		t.Errorf("request log fields: %+v", l)
	}
	if len(l.Lines) != 2 || l.Lines[0].EventType != "entity_created" || l.Lines[1].LogLevel != "info" || string(l.Lines[1].Payload) != `"created root"` {
		t.Errorf("lines: %+v", l.Lines)
	}
	m := rec.Messages("logging")[0]
	if string(m.Key) != sc.TraceID().String() {
		t.Errorf("request log key = %q, want the trace ID", m.Key)
	}
	// The event line is the event message, byte for byte, plus its event ID.
	var raw struct{ Lines []json.RawMessage }
	_ = json.Unmarshal(m.Value, &raw)
	ev := rec.Messages("entity_created")[0]
	want := string(ev.Value[:len(ev.Value)-1]) + `,"event_id":"` + header(ev.Headers, wire.EventIDHeader) + `"}`
	if string(raw.Lines[0]) != want {
		t.Errorf("event line\n got %s\nwant %s", raw.Lines[0], want)
	}
	if l.Lines[0].EventID != header(ev.Headers, wire.EventIDHeader) {
		t.Errorf("decoded event line has event_id %q", l.Lines[0].EventID)
	}
}

func TestRPCAndOtherRoots(t *testing.T) {
	rec := otelrelayertest.New(t)
	ctx, rpc := rec.Tracer().Start(t.Context(), "ignored", trace.WithAttributes(
		attribute.String("rpc.system", "grpc"),
		attribute.String("rpc.service", "RPCHandler"),
		attribute.String("rpc.method", "service_method"),
	))
	_ = bridge.Log(ctx, "info", map[string]any{"n": 1})
	rpc.End()
	_, job := rec.Tracer().Start(t.Context(), "nightly-job")
	job.End()

	logs := rec.RequestLogs()
	if len(logs) != 2 {
		t.Fatalf("got %d request logs, want 2", len(logs))
	}
	if logs[0].Service != "RPCHandler.service_method" || logs[0].ServiceTime <= 0 || logs[0].Method != "" || len(logs[0].Lines) != 1 {
		t.Errorf("rpc log: %+v", logs[0])
	}
	if logs[1].Service != "nightly-job" || len(logs[1].Lines) != 0 {
		t.Errorf("job log: %+v", logs[1])
	}
	var raw map[string]any
	_ = json.Unmarshal(rec.Messages("logging")[0].Value, &raw)
	for _, k := range []string{"source", "logging_topic", "date", "service", "service_time", "trace_id", "span_id", "lines", "dropped_lines"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("rpc request log lacks %q: %v", k, raw)
		}
	}
	if _, ok := raw["method"]; ok {
		t.Errorf("rpc request log has HTTP fields: %v", raw)
	}
}

func TestChildSpansAndGoroutinesShareTheRootLog(t *testing.T) {
	rec := otelrelayertest.New(t)
	ctx, root := rec.Tracer().Start(t.Context(), "root")
	_ = bridge.Log(ctx, "info", "first")
	cctx, child := rec.Tracer().Start(ctx, "child")
	_ = bridge.Log(cctx, "info", "from child")
	var wg sync.WaitGroup
	wg.Go(func() {
		gctx, g := rec.Tracer().Start(cctx, "grandchild")
		_ = bridge.Emit(gctx, "thing", "made", 1)
		g.RecordError(fmt.Errorf("boom"))
		g.End()
	})
	wg.Wait()
	child.SetStatus(codes.Error, "child failed")
	child.End()
	_ = bridge.Log(cctx, "info", "after child ended") // the context outlives the child span
	root.End()

	logs := rec.RequestLogs()
	if len(logs) != 1 {
		t.Fatalf("got %d request logs, want 1", len(logs))
	}
	var got []string
	for _, l := range logs[0].Lines {
		got = append(got, l.LogLevel+l.EventType+":"+string(l.Payload))
	}
	want := []string{
		`info:"first"`,
		`info:"from child"`,
		`thing:1`,
		`error:{"span":"grandchild","exception.type":"*errors.errorString","exception.message":"boom"}`,
		`error:{"span":"child","status":"child failed"}`,
		`info:"after child ended"`,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("lines\n got %q\nwant %q", got, want)
	}
}

func TestConcurrentRequestsKeepTheirOwnLines(t *testing.T) {
	rec := otelrelayertest.New(t)
	const requests, lines = 50, 20
	// Half of the requests share one upstream trace ID.
	shared := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4}, TraceFlags: trace.FlagsSampled, Remote: true})
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			parent := t.Context()
			if i%2 == 0 {
				parent = trace.ContextWithRemoteSpanContext(parent, shared)
			}
			ctx, span := rec.Tracer().Start(parent, fmt.Sprintf("req-%d", i))
			for j := range lines {
				if err := bridge.Log(ctx, "info", fmt.Sprintf("req-%d line %d", i, j)); err != nil {
					t.Error(err)
				}
			}
			span.End()
		})
	}
	wg.Wait()
	logs := rec.RequestLogs()
	if len(logs) != requests {
		t.Fatalf("got %d request logs, want %d", len(logs), requests)
	}
	for _, l := range logs {
		if len(l.Lines) != lines {
			t.Fatalf("%s has %d lines, want %d", l.Service, len(l.Lines), lines)
		}
		for j, line := range l.Lines {
			if want := fmt.Sprintf("%q", fmt.Sprintf("%s line %d", l.Service, j)); string(line.Payload) != want {
				t.Fatalf("%s line %d = %s, want %s", l.Service, j, line.Payload, want)
			}
		}
	}
}

func TestLogOutsideARequestWritesAtOnce(t *testing.T) {
	rec := otelrelayertest.Patch(t)
	if err := bridge.Log(t.Context(), "warning", "no request"); err != nil {
		t.Fatal(err)
	}
	logs := rec.RequestLogs()
	if len(logs) != 1 || len(logs[0].Lines) != 1 || logs[0].Lines[0].LogLevel != "warning" || logs[0].TraceID != "" {
		t.Fatalf("request logs: %+v", logs)
	}
}

func TestBoundsCountDroppedLines(t *testing.T) {
	rec := otelrelayertest.New(t, exporter.WithMaxLines(3))
	ctx, span := rec.Tracer().Start(t.Context(), "root")
	for i := range 5 {
		_ = bridge.Log(ctx, "info", i)
	}
	span.End()
	l := rec.RequestLogs()[0]
	if len(l.Lines) != 3 || l.DroppedLines != 2 {
		t.Fatalf("lines %d dropped %d, want 3 and 2", len(l.Lines), l.DroppedLines)
	}

	rec = otelrelayertest.New(t, exporter.WithMaxMessageBytes(20_000))
	ctx, span = rec.Tracer().Start(t.Context(), "root")
	big := strings.Repeat("x", 3000)
	for range 10 {
		if err := bridge.Log(ctx, "info", big); err != nil {
			t.Fatal(err)
		}
	}
	span.End()
	m := rec.Messages("logging")[0]
	l = rec.RequestLogs()[0]
	if len(m.Value) > 20_000 || l.DroppedLines == 0 || len(l.Lines)+l.DroppedLines != 10 {
		t.Fatalf("request log of %d bytes with %d lines and %d dropped", len(m.Value), len(l.Lines), l.DroppedLines)
	}
}

func TestShutdownWritesOpenRequestsAndRefusesEmit(t *testing.T) {
	rec := otelrelayertest.New(t)
	ctx, _ := rec.Tracer().Start(t.Context(), "never-ended")
	_ = bridge.Log(ctx, "info", "pending")
	if err := rec.TracerProvider().Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	logs := rec.RequestLogs()
	if len(logs) != 1 || len(logs[0].Lines) != 1 {
		t.Fatalf("open request not written at shutdown: %+v", logs)
	}
	if !rec.Flushed() {
		t.Error("sink not flushed at shutdown")
	}
	before := len(rec.Topics())
	if err := bridge.Emit(ctx, "late", "x", 1); !errors.Is(err, bridge.ErrShutdown) {
		t.Errorf("Emit after shutdown = %v, want ErrShutdown", err)
	}
	if err := bridge.Log(ctx, "info", 1); !errors.Is(err, bridge.ErrShutdown) {
		t.Errorf("Log after shutdown = %v, want ErrShutdown", err)
	}
	if len(rec.Topics()) != before {
		t.Errorf("something was produced after shutdown: %v", rec.Topics())
	}
}
