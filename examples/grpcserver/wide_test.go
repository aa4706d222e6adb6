package main

import (
	"context"
	"net"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/attribute"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// statusServer answers Check with the status its service names, after
// setting a field of the call's request log.
type statusServer struct {
	healthpb.UnimplementedHealthServer
}

var codeOf = map[string]codes.Code{"ok": codes.OK, "missing": codes.NotFound, "down": codes.Unavailable}

func (statusServer) Check(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	if err := bridge.SetAttributes(ctx, attribute.String("app.checked", req.GetService())); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if c := codeOf[req.GetService()]; c != codes.OK {
		return nil, status.Error(c, req.GetService())
	}
	return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}, nil
}

// TestRPCStatusWithOtelgrpc calls a unary handler under real otelgrpc that
// answers OK, NotFound and Unavailable: each request log carries the
// call's status, NotFound too although otelgrpc does not mark it as a
// server error, under every semantic convention otelgrpc can emit, with
// the library's defaults.
func TestRPCStatusWithOtelgrpc(t *testing.T) {
	for _, optIn := range []string{"", "rpc/dup", "rpc/old"} {
		t.Run("OTEL_SEMCONV_STABILITY_OPT_IN="+optIn, func(t *testing.T) {
			t.Setenv("OTEL_SEMCONV_STABILITY_OPT_IN", optIn)
			rec := otelrelayertest.New(t)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := grpc.NewServer(grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithTracerProvider(rec.TracerProvider()))))
			healthpb.RegisterHealthServer(srv, statusServer{})
			go func() { _ = srv.Serve(ln) }()
			conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			client := healthpb.NewHealthClient(conn)
			for _, svc := range []string{"ok", "missing", "down"} {
				_, err := client.Check(t.Context(), &healthpb.HealthCheckRequest{Service: svc})
				if got := status.Code(err); got != codeOf[svc] {
					t.Fatalf("Check(%q): %v", svc, err)
				}
			}
			conn.Close()
			srv.GracefulStop() // the server spans have ended

			tests := []struct {
				service, name string
				code          int
			}{
				{"ok", "OK", 0},
				{"missing", "NOT_FOUND", 5},
				{"down", "UNAVAILABLE", 14},
			}
			logs := rec.RequestLogs()
			if len(logs) != len(tests) {
				t.Fatalf("%d request logs, want %d", len(logs), len(tests))
			}
			byService := map[string]int{}
			for i, l := range logs {
				checked, _ := l.Attribute("app.checked")
				byService[checked] = i
			}
			for _, tt := range tests {
				i, ok := byService[tt.service]
				if !ok {
					t.Errorf("no request log with app.checked %q", tt.service)
					continue
				}
				l := logs[i]
				if l.Service != "grpc.health.v1.Health.Check" || l.Status != 0 {
					t.Errorf("Check(%q): service %q, HTTP status %d", tt.service, l.Service, l.Status)
				}
				if l.RPCStatus != tt.name || l.RPCStatusCode == nil || *l.RPCStatusCode != tt.code {
					t.Errorf("Check(%q): rpc_status %q rpc_status_code %v, want %q %d", tt.service, l.RPCStatus, l.RPCStatusCode, tt.name, tt.code)
				}
				for _, key := range []string{"rpc.response.status_code", "rpc.grpc.status_code", "rpc.method", "rpc.service"} {
					if _, ok := l.Attributes[key]; ok {
						t.Errorf("Check(%q): attribute %s repeats a field", tt.service, key)
					}
				}
			}
		})
	}
}
