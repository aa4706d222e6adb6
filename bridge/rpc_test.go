package bridge_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

type order struct{ Item string }

func TestRPC(t *testing.T) {
	rec := otelrelayertest.New(t)
	errOutOfStock := errors.New("out of stock")
	create := bridge.RPC("RPCHandler.service_method", func(ctx context.Context, o order) (int, error) {
		if err := bridge.Emit(ctx, "order_created", "rpc", o); err != nil {
			return 0, err
		}
		if o.Item == "" {
			return 0, errOutOfStock
		}
		return 7, nil
	}, bridge.WithTracerProvider(rec.TracerProvider()))

	if id, err := create(t.Context(), order{Item: "book"}); id != 7 || err != nil {
		t.Fatalf("create = %d, %v", id, err)
	}
	if _, err := create(t.Context(), order{}); !errors.Is(err, errOutOfStock) {
		t.Fatalf("the wrapper changed the error: %v", err)
	}

	logs := rec.RequestLogs()
	if len(logs) != 2 {
		t.Fatalf("got %d request logs, want 2", len(logs))
	}
	for i, l := range logs {
		if l.Service != "RPCHandler.service_method" || l.ServiceTime <= 0 || l.Method != "" {
			t.Errorf("request log %d: %+v", i, l)
		}
	}
	if n := len(logs[0].Lines); n != 1 {
		t.Errorf("successful call has %d lines, want 1", n)
	}
	last := logs[1].Lines
	if len(last) != 2 || last[1].LogLevel != "error" || !strings.Contains(string(last[1].Payload), "out of stock") {
		t.Errorf("failed call lines: %+v", last)
	}
}

func TestRPCPanicStillLogs(t *testing.T) {
	rec := otelrelayertest.New(t)
	call := bridge.RPC("Jobs.run", func(context.Context, int) (int, error) { panic("bad job") },
		bridge.WithTracerProvider(rec.TracerProvider()))
	func() {
		defer func() {
			if v := recover(); v != "bad job" {
				t.Errorf("recovered %v, want the panic to continue", v)
			}
		}()
		_, _ = call(t.Context(), 1)
	}()
	logs := rec.RequestLogs()
	if len(logs) != 1 || logs[0].Service != "Jobs.run" || len(logs[0].Lines) != 1 || !strings.Contains(string(logs[0].Lines[0].Payload), "panic: bad job") {
		t.Fatalf("request logs: %+v", logs)
	}
}

func TestRPCInsideARequestJoinsIt(t *testing.T) {
	rec := otelrelayertest.New(t)
	inner := bridge.RPC("Inner.call", func(ctx context.Context, _ struct{}) (struct{}, error) {
		return struct{}{}, bridge.Log(ctx, "info", "inner")
	}, bridge.WithTracerProvider(rec.TracerProvider()))
	ctx, root := rec.Tracer().Start(t.Context(), "outer")
	_, _ = inner(ctx, struct{}{})
	root.End()
	logs := rec.RequestLogs()
	if len(logs) != 1 || logs[0].Service != "outer" || len(logs[0].Lines) != 1 {
		t.Fatalf("request logs: %+v", logs)
	}
}
