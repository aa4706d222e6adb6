package exporter_test

import (
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Header attributes of the older conventions spell a header with "_" for
// "-" (http.request.header.proxy_authorization); a map value may hold the
// headers by name. Neither lets a credential out.
func TestCredentialsInEveryHeaderSpellingStayOut(t *testing.T) {
	tests := []struct {
		name string
		kv   attribute.KeyValue
	}{
		{"proxy_authorization", attribute.StringSlice("http.request.header.proxy_authorization", []string{"Basic secret"})},
		{"set_cookie", attribute.StringSlice("http.response.header.set_cookie", []string{"session=secret"})},
		{"PROXY_AUTHORIZATION", attribute.String("HTTP.Request.Header.PROXY_AUTHORIZATION", "Basic secret")},
		{"a map of headers", attribute.Map("http.request.header", attribute.StringSlice("Authorization", []string{"Bearer secret"}), attribute.String("accept", "*/*"))},
		{"a slice of maps", attribute.Slice("app.upstream", attribute.MapValue(attribute.String("cookie", "session=secret")))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := otelrelayertest.New(t)
			ctx, root := rec.Tracer().Start(t.Context(), "GET /", trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(attribute.String("http.request.method", "GET"), tt.kv))
			if err := bridge.SetAttributes(ctx, tt.kv); err != nil {
				t.Fatal(err)
			}
			root.End()
			if v := string(rec.Messages("logging")[0].Value); strings.Contains(v, "secret") {
				t.Errorf("a credential left: %s", v)
			}
		})
	}
}

// A credential given to SetAttributes is not kept: it holds no slot of the
// count bound that a field written later needs, and no secret stays in
// memory until the request ends.
func TestSetCredentialsTakeNoSlotOfTheBound(t *testing.T) {
	rec := otelrelayertest.New(t, exporter.WithMaxAttributes(2))
	ctx, root := rec.Tracer().Start(t.Context(), "job")
	if err := bridge.SetAttributes(ctx, attribute.String("http.request.header.authorization", "Bearer secret"),
		attribute.String("app.cookie", "session=secret")); err != nil {
		t.Fatal(err)
	}
	if err := bridge.SetAttributes(ctx, attribute.String("app.a", "1"), attribute.String("app.b", "2")); err != nil {
		t.Fatal(err)
	}
	root.End()
	l := rec.RequestLogs()[0]
	if len(l.Attributes) != 2 || l.DroppedAttributes != 0 {
		t.Errorf("attributes %v, dropped %d; want app.a and app.b, none dropped", l.Attributes, l.DroppedAttributes)
	}
}
