package exporter

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
)

func TestReadRoot(t *testing.T) {
	s, i, ss := attribute.String, attribute.Int, attribute.StringSlice
	tests := []struct {
		name                            string
		attrs                           []attribute.KeyValue
		kind                            rootKind
		method, path, query, remote, ua string
		status, contentLength           int64
		service                         string
	}{
		{"stable HTTP", []attribute.KeyValue{s("http.request.method", "GET"), s("url.path", "/a"), s("url.query", "q=1"),
			s("user_agent.original", "ua"), s("client.address", "10.0.0.9"), s("network.peer.address", "127.0.0.1"),
			i("http.response.status_code", 204), i("http.response.body.size", 0)},
			kindHTTP, "GET", "/a", "q=1", "127.0.0.1", "ua", 204, 0, ""},
		{"older HTTP", []attribute.KeyValue{s("http.method", "POST"), s("http.target", "/b?x=1&y=2"),
			s("http.user_agent", "ua/2"), s("net.sock.peer.addr", "192.0.2.1"), i("http.status_code", 500), i("http.response_content_length", 7)},
			kindHTTP, "POST", "/b", "x=1&y=2", "192.0.2.1", "ua/2", 500, 7, ""},
		{"both: stable wins", []attribute.KeyValue{s("http.method", "POST"), s("http.request.method", "PUT"),
			s("http.target", "/old?o=1"), s("url.path", "/new"), i("http.status_code", 500), i("http.response.status_code", 201)},
			kindHTTP, "PUT", "/new", "o=1", "", "", 201, 0, ""},
		{"X-Real-IP wins over the peer", []attribute.KeyValue{s("http.request.method", "GET"), ss("http.request.header.x-real-ip", []string{"203.0.113.5"}),
			s("network.peer.address", "127.0.0.1"), s("client.address", "198.51.100.7")},
			kindHTTP, "GET", "", "", "203.0.113.5", "", 0, 0, ""},
		{"net.peer.ip alone", []attribute.KeyValue{s("http.method", "GET"), s("net.peer.ip", "192.0.2.2")},
			kindHTTP, "GET", "", "", "192.0.2.2", "", 0, 0, ""},
		{"gRPC, older conventions", []attribute.KeyValue{s("rpc.system", "grpc"), s("rpc.service", "grpc.health.v1.Health"), s("rpc.method", "Check")},
			kindRPC, "", "", "", "", "", 0, 0, "grpc.health.v1.Health.Check"},
		{"gRPC, newer conventions", []attribute.KeyValue{s("rpc.system.name", "grpc"), s("rpc.method", "grpc.health.v1.Health/Check")},
			kindRPC, "", "", "", "", "", 0, 0, "grpc.health.v1.Health.Check"},
		{"gRPC, both conventions", []attribute.KeyValue{s("rpc.system", "grpc"), s("rpc.system.name", "grpc"),
			s("rpc.service", "grpc.health.v1.Health"), s("rpc.method", "grpc.health.v1.Health/Check")},
			kindRPC, "", "", "", "", "", 0, 0, "grpc.health.v1.Health.Check"},
		{"rpc.service alone", []attribute.KeyValue{s("rpc.service", "Jobs")}, kindRPC, "", "", "", "", "", 0, 0, "Jobs"},
		{"any other root", []attribute.KeyValue{s("job.id", "7")}, kindOther, "", "", "", "", "", 0, 0, "span-name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ri := readRoot(tt.attrs)
			got := []any{ri.kind, ri.method.value, ri.path.value, ri.query.value, ri.remote.value, ri.userAgent.value, ri.status.value, ri.contentLength.value}
			want := []any{tt.kind, tt.method, tt.path, tt.query, tt.remote, tt.ua, tt.status, tt.contentLength}
			for k := range got {
				if got[k] != want[k] {
					t.Errorf("field %d = %v, want %v (all: %v)", k, got[k], want[k], got)
				}
			}
			if tt.kind != kindHTTP {
				if svc := ri.service("span-name"); svc != tt.service {
					t.Errorf("service = %q, want %q", svc, tt.service)
				}
			}
		})
	}
}

func FuzzReadRoot(f *testing.F) {
	f.Add("http.target", "/a?b", "rpc.method", "x/y")
	f.Add("rpc.response.status_code", "NOT_FOUND", "http.route", "/orders/{id}")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		ri := readRoot([]attribute.KeyValue{attribute.String(k1, v1), attribute.String(k2, v2)})
		_ = ri.service("name")
		if len(ri.path.value) > maxFieldBytes || len(ri.remote.value) > maxFieldBytes || len(ri.route.value) > maxFieldBytes || len(ri.rpcStatus.name) > maxFieldBytes {
			t.Fatalf("a field exceeds %d bytes", maxFieldBytes)
		}
	})
}
