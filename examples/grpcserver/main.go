// Command grpcserver serves the standard gRPC health service instrumented
// with otelgrpc; its Check handler calls bridge.Emit and bridge.Log on the
// call's context, so every call gets a request log whose service is
// "grpc.health.v1.Health.Check". A client in the same program, also
// instrumented, makes a few calls; then the program prints the event topic
// and the logging topic.
//
//	go run ./grpcserver            # embedded broker, no setup
//	KAFKA_BROKERS=host:9092 go run ./grpcserver
//	go run ./grpcserver -spool DIR  # messages kept in a write-ahead log in DIR until Kafka has them
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
)

func main() {
	demo.Main("grpcserver", serve, "health_checked", "logging")
}

// checked are the services the client asks about; the last one is unknown.
var checked = []string{"", "orders", "payments", "inventory"}

// clientJob is the span name of the client's work. Its calls are children
// of it, so the client side gets one request log rather than one per call.
const clientJob = "health-probe"

// serve installs the pipeline, serves the health service on loopback, makes
// the client calls, then stops the server and shuts the tracer provider
// down: when it returns, every event and request log is in Kafka.
func serve(ctx context.Context, brokers []string) error {
	tp, _, err := demo.Install(brokers, "grpcserver")
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := grpc.NewServer(grpc.StatsHandler(otelgrpc.NewServerHandler()))
	healthpb.RegisterHealthServer(srv, &healthServer{statuses: map[string]healthpb.HealthCheckResponse_ServingStatus{
		"":         healthpb.HealthCheckResponse_SERVING,
		"orders":   healthpb.HealthCheckResponse_SERVING,
		"payments": healthpb.HealthCheckResponse_NOT_SERVING,
	}})
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("serving grpc.health.v1.Health on %s, Kafka at %s\n\n", ln.Addr(), strings.Join(brokers, ","))

	callErr := probe(ctx, ln.Addr().String())
	srv.GracefulStop()
	shutdownCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// Shutdown writes the pending request logs and flushes the producer.
	return errors.Join(callErr, tp.Shutdown(shutdownCtx))
}

// probe is the client: it checks every service in one job span, whose
// context otelgrpc propagates to the server.
func probe(ctx context.Context, addr string) error {
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, span := otel.Tracer("grpcserver-example").Start(ctx, clientJob)
	defer span.End()
	client := healthpb.NewHealthClient(conn)
	for _, svc := range checked {
		resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		result := resp.GetStatus().String()
		if err != nil {
			result = err.Error() // the unknown service: NotFound
		}
		fmt.Printf("Check(%q) -> %s\n", svc, result)
		_ = bridge.Log(ctx, "info", map[string]string{"service": svc, "result": result})
	}
	return nil
}
