package bridge_test

import (
	"errors"
	"os"
	"os/exec"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/internal/selflog"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// A handler may put a span into the library's log context without looking
// into it first (trace.ContextWithSpan with a job span it holds, as a
// handler correlating records with its own work does): the context still
// derives from the library's and is refused, also as the first thing the
// process does with it. The check runs in a fresh process, where nothing
// has looked into the library's context yet.
func TestSelfLogWithSpanPutIntoItRefused(t *testing.T) {
	if os.Getenv("OTELRELAYER_SELFLOG_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSelfLogWithSpanPutIntoItRefused$", "-test.v")
		cmd.Env = append(os.Environ(), "OTELRELAYER_SELFLOG_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("in a fresh process: %v\n%s", err, out)
		}
		return
	}
	rec := otelrelayertest.New(t)
	_, job := rec.Tracer().Start(t.Context(), "job")
	ctx := trace.ContextWithSpan(selflog.Context(), job)
	if err := bridge.Emit(ctx, "audit", "log", 1); !errors.Is(err, bridge.ErrSelfLog) {
		t.Errorf("Emit with the library's log context holding a span put into it: %v, want bridge.ErrSelfLog", err)
	}
	if err := bridge.Log(ctx, "debug", "x"); err != nil {
		t.Errorf("Log: %v, want nil", err)
	}
	job.End()
	if n := len(rec.Messages("audit")); n != 0 {
		t.Errorf("%d audit events from the library's log context, want none", n)
	}
	if logs := rec.RequestLogs(); len(logs) != 1 || len(logs[0].Lines) != 0 {
		t.Errorf("%d request logs (lines: %v), want the job's one without lines", len(logs), lineCounts(logs))
	}
}

func lineCounts(logs []wire.RequestLog) []int {
	var n []int
	for _, l := range logs {
		n = append(n, len(l.Lines))
	}
	return n
}
