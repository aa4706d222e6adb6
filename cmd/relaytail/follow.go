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
)

// open connects to cfg.conn and checks cfg.topic, failing within
// cfg.timeout when no broker answers (saying why: a certificate, a
// password) or the topic does not exist.
func open(ctx context.Context, cfg config, errOut io.Writer) (*tail.Tail, error) {
	if err := cfg.connFlags.Ping(ctx, cfg.conn, cfg.timeout); err != nil {
		return nil, err
	}
	tc := tail.Config{
		Brokers:       cfg.conn.Brokers(),
		ClientOptions: cfg.conn.ClientOptions(),
		Topics:        []string{cfg.topic},
		Window:        cfg.window,
		Timeout:       cfg.timeout,
		OnFetchError: func(topic string, partition int32, err error) {
			cli.Notef(errOut, "relaytail", "fetching %s[%d]: %v", topic, partition, err)
		},
	}
	if !cfg.fromBeginning {
		tc.Since = time.Now()
	}
	tl, err := tail.Open(ctx, tc)
	switch {
	case errors.Is(err, tail.ErrNoTopic):
		return nil, fmt.Errorf("%w; check -topic (with its prefix and suffix), or start the service first: the topic is created by its first request log", err)
	case err != nil:
		return nil, err
	}
	return tl, nil
}

// follow writes each request log of tl that passes cfg.filter to out. It
// returns nil when ctx is done or after cfg.limit matching request logs (0:
// no limit). The first message that is not a request log is reported to
// errOut; it and the others like it are skipped.
func follow(ctx context.Context, tl *tail.Tail, cfg config, out, errOut io.Writer) error {
	matched, others := 0, 0
	for {
		m, err := tl.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if m.Kind == tail.KindSkipped {
			cli.Notef(errOut, "relaytail", "%s", skipped(&m))
			continue
		}
		if m.Kind != tail.KindRequestLog {
			if others == 0 {
				what := m.NotOurs
				if m.Kind == tail.KindEvent {
					what = "an event (" + m.Event.EventType + "/" + m.Event.EventSubtype + ")"
				}
				cli.Notef(errOut, "relaytail", "%s holds messages that are not request logs, skipping them: %s[%d] offset %d is %s; is -topic the logging topic?",
					m.Topic, m.Topic, m.Partition, m.Offset, what)
			}
			others++
			continue
		}
		if !cfg.filter.Match(m.RequestLog) || !cfg.query.MatchRequest(&m) {
			continue
		}
		if _, err := io.WriteString(out, consolefmt.RequestLog(m.RequestLog, cfg.format)); err != nil {
			return err
		}
		matched++
		if cfg.limit > 0 && matched >= cfg.limit {
			return nil
		}
	}
}

// skipped says which records of a partition were skipped, and why.
func skipped(m *tail.Message) string {
	return fmt.Sprintf("skipped %s[%d] offsets %d to %d: %s; reading goes on after them", m.Topic, m.Partition, m.Offset, m.SkippedTo, m.NotOurs)
}
