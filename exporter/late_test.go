package exporter_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// A Log after its request's log was written goes into a message that says
// it is late, names the request's service and carries its root's IDs.
func TestALogAfterItsRequestEndedIsMarkedLate(t *testing.T) {
	rec := otelrelayertest.New(t)
	ctx, root := rec.Tracer().Start(t.Context(), "checkout")
	childCtx, child := rec.Tracer().Start(ctx, "charge")
	child.End()
	root.End()
	for _, c := range []context.Context{ctx, childCtx} {
		if err := bridge.Log(c, "info", "goroutine still running"); err != nil {
			t.Fatal(err)
		}
	}
	logs := rec.RequestLogs()
	if len(logs) != 3 || logs[0].Late {
		t.Fatalf("request logs %+v: want the request's, then two late ones", logs)
	}
	rootID := root.SpanContext().SpanID().String()
	for _, l := range logs[1:] {
		if !l.Late || l.OutsideRequest || l.Service != "checkout" || l.SpanID != rootID || l.TraceID != logs[0].TraceID || len(l.Lines) != 1 {
			t.Errorf("late message %+v: want late, service checkout, the root's span ID %s", l, rootID)
		}
	}
}

func TestErrorsOfASpanEndingAfterItsRequestReachALateMessage(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name       string
		opts       []exporter.Option
		wantErrors int
		run        func(t *testing.T, rec *otelrelayertest.Recorder)
	}{
		{"a child ending after its root", nil, 2, func(t *testing.T, rec *otelrelayertest.Recorder) {
			ctx, root := rec.Tracer().Start(t.Context(), "checkout")
			_, child := rec.Tracer().Start(ctx, "charge")
			root.End()
			child.RecordError(boom)
			child.End()
			_, late := rec.Tracer().Start(ctx, "started after the end")
			late.SetStatus(codes.Error, "refused")
			late.End()
		}},
		{"an evicted root", []exporter.Option{exporter.WithMaxRequestAge(20 * time.Millisecond), exporter.WithErrorHandler(func(error) {})}, 1, func(t *testing.T, rec *otelrelayertest.Recorder) {
			_, root := rec.Tracer().Start(t.Context(), "checkout")
			for len(rec.Messages("logging")) == 0 { // the eviction
				time.Sleep(5 * time.Millisecond)
			}
			root.RecordError(boom)
			root.SetStatus(codes.Error, "refused")
			root.End()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := otelrelayertest.New(t, tc.opts...)
			tc.run(t, rec)
			logs := rec.RequestLogs()
			if len(logs) < 2 {
				t.Fatalf("request logs %+v: the late errors are missing", logs)
			}
			errorsSeen := 0
			for _, l := range logs[1:] {
				if !l.Late || l.Service != "checkout" {
					t.Errorf("message %+v: want late, service checkout", l)
				}
				for _, line := range l.Lines {
					if line.LogLevel == "error" && (strings.Contains(string(line.Payload), "boom") || strings.Contains(string(line.Payload), "refused")) {
						errorsSeen++
					}
				}
			}
			if errorsSeen != tc.wantErrors {
				t.Errorf("%d late error lines in %+v, want %d", errorsSeen, logs[1:], tc.wantErrors)
			}
		})
	}
}

// A Log with no request at all says so; without a span it has no IDs.
func TestALogOutsideAnyRequestIsMarked(t *testing.T) {
	sink := otelrelayertest.NewSink()
	p, err := exporter.New("logging", sink, exporter.WithoutEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bridge.Unregister(p); _ = p.Shutdown(context.Background()) })
	if err := bridge.Log(context.Background(), "info", "starting"); err != nil {
		t.Fatal(err)
	}
	logs := requestLogs(t, sink.Messages("logging"))
	if len(logs) != 1 || !logs[0].OutsideRequest || logs[0].Late || logs[0].TraceID != "" || len(logs[0].Lines) != 1 {
		t.Fatalf("request logs %+v: want one marked outside_request, without IDs", logs)
	}
	for _, h := range sink.Messages("logging")[0].Headers {
		if h.Key == "traceparent" {
			t.Errorf("a Log outside any span carries traceparent %q", h.Value)
		}
	}
}

// An event emitted after its request ended (a goroutine outliving its
// request) is written, and its line goes into a late message, never nowhere.
func TestAnEventAfterItsRequestEndedIsALateLine(t *testing.T) {
	rec := otelrelayertest.New(t)
	ctx, root := rec.Tracer().Start(t.Context(), "checkout")
	root.End()
	if err := bridge.Emit(ctx, "orders", "shipped", 1); err != nil {
		t.Fatal(err)
	}
	logs := rec.RequestLogs()
	if len(rec.Messages("orders")) != 1 || len(logs) != 2 {
		t.Fatalf("%d events, request logs %+v: want the event and a late message", len(rec.Messages("orders")), logs)
	}
	if l := logs[1]; !l.Late || l.Service != "checkout" || len(l.Lines) != 1 || !l.Lines[0].IsEvent() || l.Lines[0].EventID == "" {
		t.Errorf("late message %+v: want the event line with its ID", l)
	}
}
