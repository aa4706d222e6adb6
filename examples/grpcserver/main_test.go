package main

import (
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
	"github.com/otelrelayer/otelrelayer/examples/internal/demotest"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// TestServe makes the program's Check calls and checks the request log of
// each call on the server, and the client's one, under every semantic
// convention otelgrpc can emit.
func TestServe(t *testing.T) {
	for _, optIn := range []string{"", "rpc/dup", "rpc/old"} {
		t.Run("OTEL_SEMCONV_STABILITY_OPT_IN="+optIn, func(t *testing.T) {
			// otelgrpc reads the variable when serve builds its handlers.
			t.Setenv("OTEL_SEMCONV_STABILITY_OPT_IN", optIn)
			brokers := otelrelayertest.Cluster(t)
			if err := serve(t.Context(), brokers); err != nil {
				t.Fatal(err)
			}
			checkRequestLogs(t, demotest.ReadRequestLogs(t, brokers))
		})
	}
}

func checkRequestLogs(t *testing.T, logs []wire.RequestLog) {
	// One request log per call on the server, one for the client's job.
	if len(logs) != len(checked)+1 {
		t.Errorf("%d request logs for %d calls and the client job", len(logs), len(checked))
	}
	var client []wire.RequestLog
	byChecked := map[string][]wire.RequestLog{}
	for _, l := range logs {
		if l.Service == clientJob {
			client = append(client, l)
			continue
		}
		byChecked[demotest.FirstLineField(t, l, "service")] = append(byChecked[demotest.FirstLineField(t, l, "service")], l)
	}
	if len(client) != 1 {
		t.Fatalf("%d request logs of the client job %q, want 1", len(client), clientJob)
	}

	tests := []struct {
		name, service string
		lines         []string
	}{
		{"overall health", "", []string{"event health_checked", "info"}},
		{"serving", "orders", []string{"event health_checked", "info"}},
		{"not serving", "payments", []string{"event health_checked", "info"}},
		// NotFound is the caller's error, not the server's: no error line.
		{"unknown", "inventory", []string{"warning"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := byChecked[tt.service]
			if len(got) != 1 {
				t.Fatalf("%d request logs for Check(%q), want 1", len(got), tt.service)
			}
			l := got[0]
			demotest.CheckService(t, l, "grpc.health.v1.Health.Check")
			if l.Method != "" || l.Status != 0 {
				t.Errorf("an RPC request log has HTTP fields: method %q, status %d", l.Method, l.Status)
			}
			demotest.CheckString(t, "source", l.Source, "grpcserver")
			demotest.CheckString(t, "lines", strings.Join(demo.LineKinds(l), ", "), strings.Join(tt.lines, ", "))
			// otelgrpc carried the client's trace to the server.
			demotest.CheckString(t, "trace_id", l.TraceID, client[0].TraceID)
		})
	}

	t.Run("client job", func(t *testing.T) {
		l := client[0]
		if l.ServiceTime <= 0 {
			t.Errorf("service_time = %v, want > 0", l.ServiceTime)
		}
		// A line per call, and an error line for the failed call's span.
		demotest.CheckString(t, "lines", strings.Join(demo.LineKinds(l), ", "), "info, info, info, error, info")
	})
}
