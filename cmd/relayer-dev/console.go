package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/cmd/internal/consolefmt"
	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

// tailConsole writes every message written to brokers since, in time
// order: request logs and events in the console format, other
// messages on a row each. It returns nil when ctx is done.
func tailConsole(ctx context.Context, brokers []string, since time.Time, o consolefmt.Options, out, errOut io.Writer) error {
	conn, err := ownBroker(brokers)
	if err != nil {
		return fmt.Errorf("tailing the broker: %w", err)
	}
	tl, err := tail.Open(ctx, tail.Config{
		Brokers:       brokers,
		ClientOptions: conn.ClientOptions(),
		Since:         since,
		Window:        tail.DefaultWindow,
		OnFetchError: func(topic string, partition int32, err error) {
			cli.Notef(errOut, "relayer-dev", "reading %s[%d]: %v", topic, partition, err)
		},
	})
	if err != nil {
		return fmt.Errorf("tailing the broker: %w", err)
	}
	defer tl.Close()
	for {
		m, err := tl.Next(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, tail.ErrClosed) {
				return nil
			}
			return err
		}
		var row string
		switch m.Kind {
		case tail.KindSkipped:
			cli.Notef(errOut, "relayer-dev", "skipped %s[%d] offsets %d to %d: %s; reading goes on after them", m.Topic, m.Partition, m.Offset, m.SkippedTo, m.NotOurs)
			continue
		case tail.KindRequestLog:
			row = consolefmt.RequestLog(m.RequestLog, o)
		case tail.KindEvent:
			id, _ := m.Header(wire.EventIDHeader)
			row = consolefmt.Event(m.Topic, m.Event, string(id), o)
		default:
			row = consolefmt.Other(m.Topic, m.Partition, m.Offset, m.Timestamp, m.Value, o)
		}
		if _, err := io.WriteString(out, row); err != nil {
			return err
		}
	}
}
