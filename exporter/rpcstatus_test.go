package exporter_test

import (
	"math"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// RPC request logs carry the call's status, apart from HTTP's status, from
// the newer convention (a string) or the older one (an integer), and the
// status attributes are not repeated in "attributes".
func TestRPCRequestLogsCarryTheRPCStatus(t *testing.T) {
	code := func(n int) *int { return &n }
	tests := []struct {
		name     string
		attrs    []attribute.KeyValue
		wantCode *int
		wantName string
	}{
		{"otelgrpc v0.72: the name", []attribute.KeyValue{attribute.String("rpc.response.status_code", "NOT_FOUND")}, code(5), "NOT_FOUND"},
		{"OK is code 0, written", []attribute.KeyValue{attribute.String("rpc.response.status_code", "OK")}, code(0), "OK"},
		{"older: the integer", []attribute.KeyValue{attribute.Int("rpc.grpc.status_code", 14)}, code(14), "UNAVAILABLE"},
		{"both: the newer wins", []attribute.KeyValue{attribute.Int("rpc.grpc.status_code", 3), attribute.String("rpc.response.status_code", "INVALID_ARGUMENT")}, code(3), "INVALID_ARGUMENT"},
		{"Connect's lower case", []attribute.KeyValue{attribute.String("rpc.response.status_code", "not_found")}, code(5), "not_found"},
		{"JSON-RPC's number", []attribute.KeyValue{attribute.String("rpc.response.status_code", "-32602")}, code(-32602), "-32602"},
		{"beyond gRPC's codes", []attribute.KeyValue{attribute.Int("rpc.grpc.status_code", 42)}, code(42), "42"},
		{"a name of its own", []attribute.KeyValue{attribute.String("rpc.response.status_code", "rate_limited")}, nil, "rate_limited"},
		{"none recorded", nil, nil, ""},
		{"older: an integral float", []attribute.KeyValue{attribute.Float64("rpc.grpc.status_code", 5)}, code(5), "NOT_FOUND"},
		{"older: a fraction is no code", []attribute.KeyValue{attribute.Float64("rpc.grpc.status_code", 5.7)}, nil, ""},
		{"older: NaN is no code", []attribute.KeyValue{attribute.Float64("rpc.grpc.status_code", math.NaN())}, nil, ""},
		{"older: 1e300 is no code", []attribute.KeyValue{attribute.Float64("rpc.grpc.status_code", 1e300)}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := otelrelayertest.New(t)
			attrs := append([]attribute.KeyValue{
				attribute.String("rpc.system.name", "grpc"), attribute.String("rpc.method", "shop.Orders/Get"),
			}, tt.attrs...)
			_, span := rec.Tracer().Start(t.Context(), "shop.Orders/Get", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
			span.End()
			l := rec.RequestLogs()[0]
			if l.Service != "shop.Orders.Get" || l.Status != 0 {
				t.Errorf("service %q status %d", l.Service, l.Status)
			}
			if (l.RPCStatusCode == nil) != (tt.wantCode == nil) || l.RPCStatusCode != nil && *l.RPCStatusCode != *tt.wantCode {
				t.Errorf("rpc_status_code %v, want %v", deref(l.RPCStatusCode), deref(tt.wantCode))
			}
			if l.RPCStatus != tt.wantName {
				t.Errorf("rpc_status %q, want %q", l.RPCStatus, tt.wantName)
			}
			if len(l.Attributes) != 0 {
				t.Errorf("attributes %v: the RPC attributes are fields", l.Attributes)
			}
		})
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// An HTTP root has no RPC status, whatever its attributes: rpc_status is
// for RPC request logs.
func TestAnHTTPRootWritesNoRPCStatus(t *testing.T) {
	rec := otelrelayertest.New(t)
	_, span := rec.Tracer().Start(t.Context(), "GET", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
		attribute.String("http.request.method", "GET"), attribute.Int("rpc.grpc.status_code", 5)))
	span.End()
	l := rec.RequestLogs()[0]
	if l.RPCStatus != "" || l.RPCStatusCode != nil {
		t.Errorf("rpc_status %q rpc_status_code %v on an HTTP request log", l.RPCStatus, deref(l.RPCStatusCode))
	}
	if v, ok := l.Attribute("rpc.grpc.status_code"); !ok || v != "5" {
		t.Errorf("the attribute is no field of an HTTP log, it stays: %q %v", v, ok)
	}
}
