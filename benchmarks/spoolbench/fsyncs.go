package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/trace"
	"strings"

	xtrace "golang.org/x/exp/trace"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// commitRegion is the runtime/trace region the spool's store wraps each
// group commit in (kafkasink's spoolStore.commit): the hook that lets this
// program count commits without reaching into the store. Outside a trace it
// costs one atomic load.
const commitRegion = "otelrelayer.spool.commit"

// countFsyncs runs requests through the default spool under the Go
// execution tracer and counts, from the trace, the store's group commits
// (its regions) and the fsync and fdatasync system calls the whole process
// made meanwhile (goroutines entering a system call whose stack holds
// Fsync or Fdatasync): no strace, and whatever store the spool uses.
func countFsyncs(ctx context.Context, brokers []string, requests, concurrency int, dir string) (commits, fsyncs int, err error) {
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		return 0, 0, fmt.Errorf("starting the execution tracer: %w", err)
	}
	_, err = measure(ctx, brokers, path{"spool", []kafkasink.Option{}}, requests, concurrency, dir)
	trace.Stop()
	if err != nil {
		return 0, 0, err
	}
	r, err := xtrace.NewReader(&buf)
	if err != nil {
		return 0, 0, fmt.Errorf("reading the execution trace: %w", err)
	}
	for {
		ev, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, 0, fmt.Errorf("reading the execution trace: %w", err)
		}
		switch ev.Kind() {
		case xtrace.EventRegionBegin:
			if ev.Region().Type == commitRegion {
				commits++
			}
		case xtrace.EventStateTransition:
			st := ev.StateTransition()
			if st.Resource.Kind != xtrace.ResourceGoroutine {
				continue
			}
			if _, to := st.Goroutine(); to == xtrace.GoSyscall && isSync(ev.Stack()) {
				fsyncs++
			}
		}
	}
	if commits == 0 {
		return 0, 0, fmt.Errorf("the trace holds no %q region: the spool's store no longer marks its commits", commitRegion)
	}
	return commits, fsyncs, nil
}

// isSync reports whether a system call's stack is an fsync or fdatasync.
func isSync(s xtrace.Stack) bool {
	for f := range s.Frames() {
		if strings.HasSuffix(f.Func, ".Fsync") || strings.HasSuffix(f.Func, ".Fdatasync") {
			return true
		}
	}
	return false
}
