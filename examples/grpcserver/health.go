package main

import (
	"context"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/otelrelayer/otelrelayer/bridge"
)

// healthServer implements the standard gRPC health service (its generated
// code ships with grpc-go, so no protoc is needed). Check uses only its
// context: otelgrpc's server span is in it.
type healthServer struct {
	healthpb.UnimplementedHealthServer
	statuses map[string]healthpb.HealthCheckResponse_ServingStatus
}

func (h *healthServer) Check(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	st, ok := h.statuses[req.GetService()]
	if !ok {
		_ = bridge.Log(ctx, "warning", map[string]string{"msg": "unknown service", "service": req.GetService()})
		return nil, status.Errorf(codes.NotFound, "unknown service %q", req.GetService())
	}
	// Written to the health_checked topic at once, and a line of this
	// call's request log.
	payload := map[string]string{"service": req.GetService(), "status": st.String()}
	if err := bridge.Emit(ctx, "health_checked", "grpc", payload); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	_ = bridge.Log(ctx, "info", map[string]string{"msg": "health checked", "service": req.GetService()})
	return &healthpb.HealthCheckResponse{Status: st}, nil
}
