package schematest

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Every kind of message the library writes matches its schema: HTTP, RPC
// and job request logs, errors, raw lines, dropped lines, evicted
// requests, sampled request logs, Log and Emit outside a request,
// CloudEvents headers.
func TestScenarioMessages(t *testing.T) {
	s := compile(t)
	wide := map[string]bool{} // the wide keys the scenarios wrote
	defer func() {
		for _, k := range []string{"route", "rpc_status_code", "rpc_status", "attributes", "dropped_attributes"} {
			if !wide[k] {
				t.Errorf("no scenario wrote %q: the schema of the wide fields went unchecked", k)
			}
		}
	}()
	scenarios := []struct {
		name string
		opts []exporter.Option
		run  func(t *testing.T, rec *otelrelayertest.Recorder)
	}{
		{"HTTP", nil, func(t *testing.T, rec *otelrelayertest.Recorder) {
			mux := http.NewServeMux()
			mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
				_ = bridge.Emit(r.Context(), "order_created", "web", map[string]any{"id": 1, "tags": []string{"a"}}, bridge.WithPartitionKey("1"))
				_ = bridge.Log(r.Context(), "info", "stored")
				_ = bridge.EmitRaw(r.Context(), "audit", []int{1, 2})
				_ = bridge.EmitRaw(r.Context(), "audit", "plain")
				_ = bridge.Log(r.Context(), "warning", map[string]any{"msg": "slow", "ms": 2.5})
				w.WriteHeader(http.StatusCreated)
				_, _ = w.Write([]byte("{}"))
			})
			mux.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			h := bridge.HTTPHandler(mux, bridge.WithTracerProvider(rec.TracerProvider()))
			req := httptest.NewRequest(http.MethodPost, "/orders?x=1&y=%20", strings.NewReader("{}"))
			req.Header.Set("User-Agent", "schema/1")
			req.Header.Set("X-Request-ID", "req-1")
			req.Header.Set("X-Forwarded-For", "10.0.0.1, 10.0.0.2")
			h.ServeHTTP(httptest.NewRecorder(), req)
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/fail", nil))
		}},
		{"called by an upstream service", nil, func(t *testing.T, rec *otelrelayertest.Recorder) {
			h := bridge.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = bridge.Log(r.Context(), "info", "called")
			}), bridge.WithTracerProvider(rec.TracerProvider()), bridge.WithHTTPPropagator(propagation.TraceContext{}))
			req := httptest.NewRequest(http.MethodGet, "/downstream", nil)
			req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
			h.ServeHTTP(httptest.NewRecorder(), req)
			if err := rec.TracerProvider().ForceFlush(t.Context()); err != nil {
				t.Fatal(err)
			}
			if logs := rec.RequestLogs(); len(logs) != 1 || logs[0].ParentSpanID != "00f067aa0ba902b7" {
				t.Errorf("parent_span_id of the request log = %+v, want 00f067aa0ba902b7", logs)
			}
		}},
		{"RPC", nil, func(t *testing.T, rec *otelrelayertest.Recorder) {
			call := bridge.RPC("RPCHandler.create_order", func(ctx context.Context, q int) (int, error) {
				_ = bridge.Log(ctx, "debug", q)
				if q <= 0 {
					return 0, errors.New("quantity must be positive")
				}
				return q, bridge.Emit(ctx, "order_created", "rpc", q)
			}, bridge.WithTracerProvider(rec.TracerProvider()))
			_, _ = call(t.Context(), 1)
			_, _ = call(t.Context(), 0)
		}},
		{"job with an exception", nil, func(t *testing.T, rec *otelrelayertest.Recorder) {
			ctx, span := rec.Tracer().Start(t.Context(), "nightly-report")
			_, child := rec.Tracer().Start(ctx, "step")
			child.RecordError(errors.New("disk full"))
			child.SetStatus(codes.Error, "disk full")
			child.End()
			_ = bridge.Log(ctx, "error", nil)
			span.End()
		}},
		{"outside a request", nil, func(t *testing.T, rec *otelrelayertest.Recorder) {
			ctx, span := rec.Tracer().Start(t.Context(), "unsampled")
			span.End() // ended: the context still names the pipeline
			_ = bridge.Log(ctx, "info", "after the request")
			_ = bridge.Emit(ctx, "order_created", "", nil)
		}},
		{"dropped lines", []exporter.Option{exporter.WithMaxLines(2)}, func(t *testing.T, rec *otelrelayertest.Recorder) {
			ctx, span := rec.Tracer().Start(t.Context(), "chatty")
			for range 5 {
				_ = bridge.Log(ctx, "info", "line")
			}
			span.End()
		}},
		{"evicted", []exporter.Option{exporter.WithMaxRequestAge(50 * time.Millisecond), exporter.WithErrorHandler(func(error) {})}, func(t *testing.T, rec *otelrelayertest.Recorder) {
			ctx, span := rec.Tracer().Start(t.Context(), "never ends")
			_ = bridge.Log(ctx, "info", "started")
			deadline := time.Now().Add(10 * time.Second)
			for len(rec.RequestLogs()) == 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if logs := rec.RequestLogs(); len(logs) == 0 || !logs[0].Evicted {
				t.Errorf("no evicted request log within 10s: %+v", logs)
			}
			span.End()
		}},
		{"request logs sampled", []exporter.Option{exporter.WithRequestLogSampling(0.5, 0)}, func(t *testing.T, rec *otelrelayertest.Recorder) {
			for i := range 20 { // about half kept with sample_rate 0.5, the errors with 1
				ctx, span := rec.Tracer().Start(t.Context(), "job")
				_ = bridge.Log(ctx, []string{"info", "error"}[i%2], i)
				span.End()
			}
		}},
		{"wide: route, RPC status, attributes, dropped attributes", []exporter.Option{exporter.WithMaxAttributes(4), exporter.WithRedactedKeys("password")}, func(t *testing.T, rec *otelrelayertest.Recorder) {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
				trace.SpanFromContext(r.Context()).SetAttributes(attribute.StringSlice("app.skus", []string{"a"}), attribute.Float64("app.ratio", math.NaN()))
				if err := bridge.SetAttributes(r.Context(), attribute.String("enduser.id", "42"), attribute.String("app.password", "x"),
					attribute.Map("app.cart", attribute.Int("items", 3))); err != nil {
					t.Error(err)
				}
			})
			h := bridge.HTTPHandler(mux, bridge.WithTracerProvider(rec.TracerProvider()))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/orders/7", nil))
			for _, status := range []attribute.KeyValue{
				attribute.String("rpc.response.status_code", "NOT_FOUND"),
				attribute.Int("rpc.grpc.status_code", 14),
				attribute.String("rpc.response.status_code", "rate_limited"),
			} {
				_, span := rec.Tracer().Start(t.Context(), "shop.Orders/Get", trace.WithSpanKind(trace.SpanKindServer),
					trace.WithAttributes(attribute.String("rpc.system.name", "grpc"), attribute.String("rpc.method", "shop.Orders/Get"), status))
				span.End()
			}
			for _, l := range rec.RequestLogs() {
				wide["route"] = wide["route"] || l.Route != ""
				wide["rpc_status_code"] = wide["rpc_status_code"] || l.RPCStatusCode != nil
				wide["rpc_status"] = wide["rpc_status"] || l.RPCStatus != ""
				wide["attributes"] = wide["attributes"] || len(l.Attributes) > 0
				wide["dropped_attributes"] = wide["dropped_attributes"] || l.DroppedAttributes > 0
			}
		}},
		{"late lines and errors, shortened fields, unacknowledged and outbox lines", []exporter.Option{exporter.WithMaxMessageBytes(16 << 10)}, func(t *testing.T, rec *otelrelayertest.Recorder) {
			long := strings.Repeat("\x01\"", 4<<10)
			ctx, span := rec.Tracer().Start(t.Context(), "GET /", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
				attribute.String("http.request.method", "GET"), attribute.String("url.path", "/"+long),
				attribute.String("url.query", long), attribute.String("user_agent.original", long)))
			done, cancel := context.WithCancel(ctx)
			cancel()
			_ = bridge.EmitRaw(done, "raw_topic", []int{1, 2}, bridge.WithAck())
			_ = bridge.Emit(exporter.ContextWithEventWriter(ctx, nopWriter{}), "order_created", "outbox", 1)
			childCtx, child := rec.Tracer().Start(ctx, "child")
			span.End()
			_ = bridge.Log(childCtx, "info", "late")
			child.RecordError(errors.New("boom"))
			child.End()
		}},
		{"CloudEvents, prefix and suffix", []exporter.Option{exporter.WithCloudEvents(), exporter.WithTopicPrefix("shop."), exporter.WithTopicSuffix(".v1"), exporter.WithSource("shop")}, func(t *testing.T, rec *otelrelayertest.Recorder) {
			ctx, span := rec.Tracer().Start(t.Context(), "ce")
			_ = bridge.Emit(ctx, "order_created", "ce", map[string]string{"k": "v"})
			span.End()
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			rec := otelrelayertest.New(t, sc.opts...)
			sc.run(t, rec)
			if err := rec.TracerProvider().ForceFlush(t.Context()); err != nil {
				t.Fatal(err)
			}
			counts := map[string]int{}
			for _, topic := range rec.Topics() {
				for _, m := range rec.Messages(topic) {
					k, err := s.validate(m.Value)
					counts[k]++
					if err != nil {
						t.Errorf("%s on %s: %v\n%s", k, topic, err, m.Value)
					}
				}
			}
			if counts["request log"] == 0 {
				t.Errorf("no request log validated (messages: %v)", counts)
			}
			t.Logf("validated %d request logs, %d events (%d other messages)", counts["request log"], counts["event"], counts[""])
		})
	}
}

type nopWriter struct{}

func (nopWriter) WriteEvent(context.Context, kafkasink.Message) error { return nil }
