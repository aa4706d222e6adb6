package main

import (
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
	"github.com/otelrelayer/otelrelayer/examples/internal/demotest"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// TestCallAll calls create_order with the program's orders and checks the
// request log of each call.
func TestCallAll(t *testing.T) {
	brokers := otelrelayertest.Cluster(t)
	if err := callAll(t.Context(), brokers); err != nil {
		t.Fatal(err)
	}
	logs := demotest.ReadRequestLogs(t, brokers)
	if len(logs) != len(orders) {
		t.Errorf("%d request logs for %d calls", len(logs), len(orders))
	}
	byItem := map[string][]wire.RequestLog{}
	for _, l := range logs {
		byItem[demotest.FirstLineField(t, l, "item")] = append(byItem[demotest.FirstLineField(t, l, "item")], l)
	}

	tests := []struct {
		name, item string
		lines      []string
		errMessage string // of the error line, when the call fails
	}{
		{"created", "book", []string{"event order_created", "info"}, ""},
		{"created again", "pen", []string{"event order_created", "info"}, ""},
		{"refused", "ink", []string{"warning", "error"}, "quantity must be positive: 0 ink"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := byItem[tt.item]
			if len(got) != 1 {
				t.Fatalf("%d request logs for the order of %q, want 1", len(got), tt.item)
			}
			l := got[0]
			demotest.CheckService(t, l, "RPCHandler.create_order")
			demotest.CheckString(t, "source", l.Source, "rpc")
			if l.Method != "" || l.Status != 0 {
				t.Errorf("an RPC request log has HTTP fields: method %q, status %d", l.Method, l.Status)
			}
			demotest.CheckString(t, "lines", strings.Join(demo.LineKinds(l), ", "), strings.Join(tt.lines, ", "))
			errs := demotest.ErrorLines(t, l)
			if tt.errMessage == "" {
				if len(errs) != 0 {
					t.Errorf("error lines %v, want none", errs)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("%d error lines, want 1", len(errs))
			}
			demotest.CheckString(t, "error line span", errs[0]["span"], "RPCHandler.create_order")
			demotest.CheckString(t, "error line exception.message", errs[0]["exception.message"], tt.errMessage)
		})
	}
}
