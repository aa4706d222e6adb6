package exporter_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// A line, an event or a child's error that races its request's end lands
// either in the request log or in a late message, never nowhere and never
// in a message that says it belonged to no request: the request is
// remembered as ended before anything can see it ended.
func TestWhatRacesTheEndOfItsRequestIsInTheLogOrLate(t *testing.T) {
	const rounds, perRound = 300, 4
	rec := otelrelayertest.New(t)
	boom := errors.New("boom")
	for range rounds {
		ctx, root := rec.Tracer().Start(t.Context(), "checkout")
		var childCtx = ctx
		childCtx, child := rec.Tracer().Start(ctx, "charge")
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Add(3)
		go func() {
			defer wg.Done()
			<-start
			for range perRound {
				_ = bridge.Log(childCtx, "info", "working")
			}
		}()
		go func() {
			defer wg.Done()
			<-start
			for range perRound {
				if err := bridge.Emit(childCtx, "orders", "created", 1); err != nil {
					t.Error(err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			<-start
			child.RecordError(boom)
			child.End()
		}()
		close(start)
		root.End()
		wg.Wait()
	}
	var logs, events, errorLines int
	for _, l := range rec.RequestLogs() {
		if l.OutsideRequest {
			t.Errorf("message %+v: a line of a request is marked outside any request", l)
		}
		if l.DroppedLines != 0 {
			t.Fatalf("message %+v: dropped lines", l)
		}
		for _, line := range l.Lines {
			switch {
			case line.IsEvent():
				events++
			case line.LogLevel == "error":
				errorLines++
			default:
				logs++
			}
		}
	}
	if logs != rounds*perRound || events != rounds*perRound || errorLines != rounds {
		t.Fatalf("lines %d, events %d, error lines %d: want %d, %d, %d", logs, events, errorLines, rounds*perRound, rounds*perRound, rounds)
	}
}

// A child span starting while its request ends belongs to the request or
// is known as late: its Log is a late line, and its own child's error
// reaches a late message.
func TestASpanStartingAsItsRequestEndsIsKnownLate(t *testing.T) {
	const rounds = 300
	rec := otelrelayertest.New(t)
	boom := errors.New("boom")
	for range rounds {
		ctx, root := rec.Tracer().Start(t.Context(), "checkout")
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			childCtx, child := rec.Tracer().Start(ctx, "charge")
			_, grandchild := rec.Tracer().Start(childCtx, "card")
			grandchild.RecordError(boom)
			grandchild.End()
			_ = bridge.Log(childCtx, "info", "charged")
			child.End()
		}()
		close(start)
		root.End()
		wg.Wait()
	}
	var lines, errorLines int
	for _, l := range rec.RequestLogs() {
		if l.OutsideRequest {
			t.Errorf("message %+v: a line of a request is marked outside any request", l)
		}
		for _, line := range l.Lines {
			if line.LogLevel == "error" {
				errorLines++
			} else {
				lines++
			}
		}
	}
	if lines != rounds || errorLines != rounds {
		t.Fatalf("lines %d, error lines %d: want %d each", lines, errorLines, rounds)
	}
}
