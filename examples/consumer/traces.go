package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
	"github.com/otelrelayer/otelrelayer/wire"
)

// printTraces prints, per trace, the producer's and the consumer's request
// logs, and fails when a trace lacks either.
func printTraces(ctx context.Context, brokers []string, out io.Writer) error {
	logs, err := demo.ReadRequestLogs(ctx, brokers)
	if err != nil {
		return err
	}
	byTrace := map[string][]wire.RequestLog{}
	for _, l := range logs {
		byTrace[l.TraceID] = append(byTrace[l.TraceID], l)
	}
	traces := make([]string, 0, len(byTrace))
	for id := range byTrace {
		traces = append(traces, id)
	}
	sort.Strings(traces)
	for _, id := range traces {
		ls := byTrace[id]
		sort.Slice(ls, func(i, j int) bool { return ls[i].Date.Before(ls[j].Date.Time) })
		fmt.Fprintf(out, "trace %s\n", id)
		for _, l := range ls {
			fmt.Fprintf(out, "  %-24s %7.3f ms  span %s\n", l.Service, l.ServiceTime, l.SpanID)
			for _, line := range l.Lines {
				what := line.LogLevel
				if line.IsEvent() {
					what = "event " + line.EventType
				}
				fmt.Fprintf(out, "      %-22s %s\n", what, line.Payload)
			}
		}
		if len(ls) != 2 {
			return fmt.Errorf("trace %s has %d request logs, want the producer's and the consumer's", id, len(ls))
		}
	}
	if len(traces) != orders {
		return fmt.Errorf("%d traces, want %d", len(traces), orders)
	}
	return nil
}
