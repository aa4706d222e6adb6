package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/exporter"
)

// follow consumes cfg.topic, without a consumer group, and writes each
// request log that passes cfg.filter to out. It returns nil when ctx is done
// or after cfg.limit matching request logs (0: no limit). Records that are
// not request logs and fetch errors are reported to errOut and skipped.
func follow(ctx context.Context, cfg config, out, errOut io.Writer) error {
	start := kgo.NewOffset().AtEnd()
	if cfg.fromBeginning {
		start = kgo.NewOffset().AtStart()
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(cfg.brokers...),
		kgo.ConsumeTopics(cfg.topic),
		kgo.ConsumeResetOffset(start),
	)
	if err != nil {
		return fmt.Errorf("connecting to %v: %w", cfg.brokers, err)
	}
	defer cl.Close()

	matched := 0
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil || fs.IsClientClosed() {
			return nil
		}
		fs.EachError(func(topic string, partition int32, err error) {
			if !errors.Is(err, context.Canceled) {
				fmt.Fprintf(errOut, "relaytail: fetching %s[%d]: %v\n", topic, partition, err)
			}
		})
		for _, r := range fs.Records() {
			var l exporter.RequestLog
			if err := json.Unmarshal(r.Value, &l); err != nil {
				fmt.Fprintf(errOut, "relaytail: %s[%d] offset %d is not a request log: %v\n", r.Topic, r.Partition, r.Offset, err)
				continue
			}
			if !cfg.filter.match(l) {
				continue
			}
			if _, err := io.WriteString(out, format(l, cfg.format)); err != nil {
				return err
			}
			matched++
			if cfg.limit > 0 && matched >= cfg.limit {
				return nil
			}
		}
	}
}
