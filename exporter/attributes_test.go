package exporter_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// rawAttributes is the "attributes" object of the only request log of rec,
// as written.
func rawAttributes(t *testing.T, rec *otelrelayertest.Recorder) map[string]string {
	t.Helper()
	logs := rec.RequestLogs()
	if len(logs) != 1 {
		t.Fatalf("%d request logs, want 1", len(logs))
	}
	out := map[string]string{}
	for k, v := range logs[0].Attributes {
		out[k] = string(v)
	}
	return out
}

func equalAttributes(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("attributes %v, want %v", got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("attribute %q = %s, want %s (all: %v)", k, got[k], v, got)
		}
	}
}

// With the defaults, the root span's attributes that are no field of the
// request log, nor the connection's, land in "attributes", with their JSON
// types; the route is a field of its own.
func TestRootSpanAttributesGoIntoTheRequestLogByDefault(t *testing.T) {
	rec := otelrelayertest.New(t)
	_, root := rec.Tracer().Start(t.Context(), "GET /orders/{id}", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
		attribute.String("http.request.method", "GET"),
		attribute.String("url.path", "/orders/7"),
		attribute.String("http.route", "/orders/{id}"),
		attribute.String("client.address", "127.0.0.1"),
		attribute.String("server.address", "shop.example"),
		attribute.Int("server.port", 8080),
		attribute.Int("network.peer.port", 50000),
		attribute.String("url.scheme", "https"),
		attribute.Int("http.request.body.size", 12),
	))
	root.SetAttributes(
		attribute.String("enduser.id", "42"),
		attribute.String("app.tenant", "acme"),
		attribute.Int("app.cart.items", 3),
		attribute.Bool("app.cart.gift", true),
		attribute.Float64("app.cart.total", 12.5),
		attribute.StringSlice("app.cart.skus", []string{"a", "b"}),
		attribute.Int("http.response.status_code", 200),
	)
	root.End()
	l := rec.RequestLogs()[0]
	if l.Route != "/orders/{id}" || l.Method != "GET" || l.Status != 200 || l.DroppedAttributes != 0 {
		t.Errorf("route %q method %q status %d dropped_attributes %d", l.Route, l.Method, l.Status, l.DroppedAttributes)
	}
	equalAttributes(t, rawAttributes(t, rec), map[string]string{
		"http.request.body.size": `12`,
		"enduser.id":             `"42"`,
		"app.tenant":             `"acme"`,
		"app.cart.items":         `3`,
		"app.cart.gift":          `true`,
		"app.cart.total":         `12.5`,
		"app.cart.skus":          `["a","b"]`,
	})
	if v, ok := l.Attribute("enduser.id"); !ok || v != "42" {
		t.Errorf("Attribute(enduser.id) = %q, %v", v, ok)
	}
}

// A request without attributes writes none of the new keys: its log has
// the keys it had before.
func TestARequestWithoutAttributesWritesNoNewKey(t *testing.T) {
	rec := otelrelayertest.New(t)
	_, root := rec.Tracer().Start(t.Context(), "job")
	root.End()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(rec.Messages("logging")[0].Value, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"attributes", "dropped_attributes", "route", "rpc_status", "rpc_status_code"} {
		if v, ok := raw[k]; ok {
			t.Errorf("%s = %s, want absent", k, v)
		}
	}
}

// bridge.SetAttributes from a child span and from another goroutine adds
// to the request's log, last write wins, and never to the child span.
func TestSetAttributesFromAChildSpanAndAnotherGoroutine(t *testing.T) {
	rec := otelrelayertest.New(t)
	spans := tracetest.NewSpanRecorder()
	rec.TracerProvider().RegisterSpanProcessor(spans)
	ctx, root := rec.Tracer().Start(t.Context(), "checkout", trace.WithAttributes(attribute.String("app.step", "from the root")))
	cctx, child := rec.Tracer().Start(ctx, "load cart")
	if err := bridge.SetAttributes(cctx, attribute.Int("app.cart.items", 1), attribute.String("app.step", "from the child")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := bridge.SetAttributes(cctx, attribute.Int("app.cart.items", 3), attribute.String("enduser.id", "42")); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	child.End()
	root.End()
	equalAttributes(t, rawAttributes(t, rec), map[string]string{
		"app.cart.items": `3`,
		"enduser.id":     `"42"`,
		"app.step":       `"from the child"`, // a field set wins over the root's attribute
	})
	for _, s := range spans.Ended() {
		if s.Name() == "load cart" && len(s.Attributes()) != 0 {
			t.Errorf("the child span got attributes %v", s.Attributes())
		}
	}
}

func TestSetAttributesOutsideAnOpenRequest(t *testing.T) {
	rec := otelrelayertest.New(t)
	ctx, root := rec.Tracer().Start(t.Context(), "job")
	root.End()
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"ended request", func() error { return bridge.SetAttributes(ctx, attribute.Int("n", 1)) }, bridge.ErrNoRequest},
		{"empty key", func() error { return bridge.SetAttributes(ctx, attribute.Int("", 1)) }, bridge.ErrInvalidAttribute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
	if l := rec.RequestLogs(); len(l) != 1 || len(l[0].Attributes) != 0 {
		t.Errorf("request logs %+v: want the job's alone, without attributes", l)
	}
}

// Through the default pipeline, a context without a span is no request.
func TestSetAttributesWithoutASpanReturnsErrNoRequest(t *testing.T) {
	rec := otelrelayertest.Patch(t)
	if err := bridge.SetAttributes(t.Context(), attribute.Int("n", 1)); !errors.Is(err, bridge.ErrNoRequest) {
		t.Errorf("error %v, want ErrNoRequest", err)
	}
	var nilCtx context.Context // documented as context.Background()
	if err := bridge.SetAttributes(nilCtx, attribute.Int("n", 1)); !errors.Is(err, bridge.ErrNoRequest) {
		t.Errorf("nil ctx: error %v, want ErrNoRequest", err)
	}
	if n := len(rec.Topics()); n != 0 {
		t.Errorf("%d topics written to, want none", n)
	}
}

func TestSetAttributesAfterShutdownReturnsErrShutdown(t *testing.T) {
	rec := otelrelayertest.New(t)
	ctx, root := rec.Tracer().Start(t.Context(), "job")
	defer root.End()
	if err := rec.TracerProvider().Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := bridge.SetAttributes(ctx, attribute.Int("n", 1)); !errors.Is(err, bridge.ErrShutdown) {
		t.Errorf("error %v, want ErrShutdown", err)
	}
}

func TestRootAttributeSelection(t *testing.T) {
	tests := []struct {
		name string
		opts []exporter.Option
		want map[string]string
	}{
		{"default: all but the connection's", nil, map[string]string{"app.tenant": `"acme"`, "enduser.id": `"42"`, "deployment.zone": `"eu"`, "app.set": `1`}},
		{"all", []exporter.Option{exporter.WithAllRootAttributes()}, map[string]string{"app.tenant": `"acme"`, "enduser.id": `"42"`, "deployment.zone": `"eu"`, "app.set": `1`, "server.port": `8080`}},
		{"none", []exporter.Option{exporter.WithoutRootAttributes()}, map[string]string{"app.set": `1`}},
		{"prefixes", []exporter.Option{exporter.WithRootAttributePrefixes("app.", "enduser.", "server.")}, map[string]string{"app.tenant": `"acme"`, "enduser.id": `"42"`, "app.set": `1`, "server.port": `8080`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := otelrelayertest.New(t, tt.opts...)
			ctx, root := rec.Tracer().Start(t.Context(), "job", trace.WithAttributes(
				attribute.String("app.tenant", "acme"), attribute.String("enduser.id", "42"), attribute.String("deployment.zone", "eu"), attribute.Int("server.port", 8080)))
			if err := bridge.SetAttributes(ctx, attribute.Int("app.set", 1)); err != nil {
				t.Fatal(err)
			}
			root.End()
			equalAttributes(t, rawAttributes(t, rec), tt.want)
		})
	}
}

// Credentials never leave, whatever the selection; WithRedactedKeys masks
// a key named in full or by its last segment, also inside a map value.
func TestAttributesNeverCarryCredentialsAndHonourRedactedKeys(t *testing.T) {
	rec := otelrelayertest.New(t, exporter.WithRedactedKeys("password", "app.card"))
	ctx, root := rec.Tracer().Start(t.Context(), "GET /login", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
		attribute.String("http.request.method", "GET"),
		attribute.StringSlice("http.request.header.authorization", []string{"Bearer secret"}),
		attribute.StringSlice("http.request.header.Cookie", []string{"session=secret"}),
		attribute.StringSlice("http.response.header.set-cookie", []string{"session=secret"}),
		attribute.String("app.user.password", "hunter2"),
		attribute.String("app.card", "4111"),
		attribute.Map("app.user", attribute.String("name", "ada"), attribute.String("Password", "hunter2")),
	))
	if err := bridge.SetAttributes(ctx, attribute.String("app.proxy-authorization", "Basic x"), attribute.String("app.ok", "yes")); err != nil {
		t.Fatal(err)
	}
	root.End()
	equalAttributes(t, rawAttributes(t, rec), map[string]string{
		"app.user.password": `"[REDACTED]"`,
		"app.card":          `"[REDACTED]"`,
		"app.user":          `{"Password":"[REDACTED]","name":"ada"}`,
		"app.ok":            `"yes"`,
	})
	if v := string(rec.Messages("logging")[0].Value); strings.Contains(v, "secret") || strings.Contains(v, "hunter2") || strings.Contains(v, "Basic") {
		t.Errorf("a credential left: %s", v)
	}
}

func TestAttributeValuesAsJSON(t *testing.T) {
	tests := []struct {
		name string
		kv   attribute.KeyValue
		want string
	}{
		{"string", attribute.String("v", "a\"b"), `"a\"b"`},
		{"int", attribute.Int64("v", -9007199254740993), `-9007199254740993`},
		{"float", attribute.Float64("v", 0.1), `0.1`},
		{"NaN", attribute.Float64("v", math.NaN()), `"NaN"`},
		{"infinity", attribute.Float64("v", math.Inf(-1)), `"-Infinity"`},
		{"bool slice", attribute.BoolSlice("v", []bool{true, false}), `[true,false]`},
		{"int slice", attribute.Int64Slice("v", []int64{1, 2}), `[1,2]`},
		{"float slice", attribute.Float64Slice("v", []float64{1.5, math.NaN()}), `[1.5,"NaN"]`},
		{"bytes", attribute.ByteSlice("v", []byte("hi")), `"aGk="`},
		{"map", attribute.Map("v", attribute.Int("a", 1), attribute.StringSlice("b", []string{"x"})), `{"a":1,"b":["x"]}`},
		{"slice", attribute.Slice("v", attribute.IntValue(1), attribute.StringValue("x")), `[1,"x"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := otelrelayertest.New(t)
			_, root := rec.Tracer().Start(t.Context(), "job", trace.WithAttributes(tt.kv))
			root.End()
			equalAttributes(t, rawAttributes(t, rec), map[string]string{"v": tt.want})
		})
	}
}

func TestAttributeOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opt  exporter.Option
	}{
		{"no prefix", exporter.WithRootAttributePrefixes()},
		{"empty prefix", exporter.WithRootAttributePrefixes("app.", "")},
		{"no attributes", exporter.WithMaxAttributes(0)},
		{"no bytes", exporter.WithMaxAttributeBytes(-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := exporter.New("logging", otelrelayertest.NewSink(), tt.opt, exporter.WithoutDefault(), exporter.WithoutEnvironment())
			if !errors.Is(err, exporter.ErrConfiguration) {
				t.Errorf("New: %v, want ErrConfiguration", err)
			}
		})
	}
}

// A client-kind root is logged as a job: its HTTP attributes describe the
// call it made, and go into its attributes.
func TestAClientKindRootKeepsItsHTTPAttributes(t *testing.T) {
	rec := otelrelayertest.New(t)
	_, span := rec.Tracer().Start(t.Context(), "GET api.example.com", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", "GET"), attribute.Int("http.response.status_code", 503)))
	span.End()
	equalAttributes(t, rawAttributes(t, rec), map[string]string{"http.request.method": `"GET"`, "http.response.status_code": `503`})
}

// SetAttributes from many goroutines races the root's end (run with
// -race): each call returns nil or ErrNoRequest, and the request has one
// log.
func TestSetAttributesRacesTheRootsEnd(t *testing.T) {
	for range 20 {
		rec := otelrelayertest.New(t)
		ctx, root := rec.Tracer().Start(t.Context(), "job")
		var wg sync.WaitGroup
		start := make(chan struct{})
		for g := range 4 {
			wg.Go(func() {
				<-start
				for i := range 50 {
					err := bridge.SetAttributes(ctx, attribute.Int("app.g"+strings.Repeat("x", g), i))
					if err != nil && !errors.Is(err, bridge.ErrNoRequest) {
						t.Error(err)
					}
				}
			})
		}
		close(start)
		root.End()
		wg.Wait()
		if logs := rec.RequestLogs(); len(logs) != 1 || logs[0].DroppedAttributes != 0 {
			t.Fatalf("request logs %+v, want one, nothing dropped", logs)
		}
	}
}
