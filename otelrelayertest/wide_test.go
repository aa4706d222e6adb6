package otelrelayertest_test

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// RequestLogs decodes the wide fields: route, RPC status, attributes.
func TestRequestLogsDecodeTheWideFields(t *testing.T) {
	rec := otelrelayertest.New(t)
	ctx, span := rec.Tracer().Start(t.Context(), "GET /orders/{id}", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", "GET"), attribute.String("http.route", "/orders/{id}")))
	if err := bridge.SetAttributes(ctx, attribute.String("enduser.id", "42"), attribute.StringSlice("app.tags", []string{"a"})); err != nil {
		t.Fatal(err)
	}
	span.End()
	_, rpc := rec.Tracer().Start(t.Context(), "shop.Orders/Get", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("rpc.method", "shop.Orders/Get"), attribute.String("rpc.response.status_code", "NOT_FOUND")))
	rpc.End()

	logs := rec.RequestLogs()
	if len(logs) != 2 {
		t.Fatalf("%d request logs", len(logs))
	}
	user, _ := logs[0].Attribute("enduser.id")
	tags, _ := logs[0].Attribute("app.tags")
	if logs[0].Route != "/orders/{id}" || user != "42" || tags != `["a"]` {
		t.Errorf("route %q enduser.id %q app.tags %q", logs[0].Route, user, tags)
	}
	if logs[1].RPCStatus != "NOT_FOUND" || logs[1].RPCStatusCode == nil || *logs[1].RPCStatusCode != 5 {
		t.Errorf("rpc_status %q rpc_status_code %v", logs[1].RPCStatus, logs[1].RPCStatusCode)
	}
}
