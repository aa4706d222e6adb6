package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/wire"
)

// ReadRequestLogs decodes every message of the logging topic. Call it after
// the tracer provider is shut down: everything is in the broker then, so
// reading stops at the first poll that brings nothing new.
func ReadRequestLogs(ctx context.Context, brokers []string) ([]wire.RequestLog, error) {
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(brokers...),
		kgo.ConsumeTopics("logging"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	var logs []wire.RequestLog
	for range 8 {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		fs := cl.PollFetches(pctx)
		cancel()
		var fetchErr error
		fs.EachError(func(topic string, _ int32, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				fetchErr = fmt.Errorf("fetching %s: %w", topic, err)
			}
		})
		if fetchErr != nil {
			return nil, fetchErr
		}
		n := 0
		for _, r := range fs.Records() {
			var l wire.RequestLog
			if err := json.Unmarshal(r.Value, &l); err != nil {
				return nil, fmt.Errorf("decoding %s: %w", r.Value, err)
			}
			logs = append(logs, l)
			n++
		}
		if n == 0 && len(logs) > 0 {
			return logs, nil
		}
	}
	return nil, fmt.Errorf("the logging topic was not read to its end (%d request logs so far)", len(logs))
}

// LineKinds sums l's lines up: "event <type>" or the log level.
func LineKinds(l wire.RequestLog) []string {
	kinds := make([]string, len(l.Lines))
	for i, line := range l.Lines {
		if line.IsEvent() {
			kinds[i] = "event " + line.EventType
		} else {
			kinds[i] = line.LogLevel
		}
	}
	return kinds
}
