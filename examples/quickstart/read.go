package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/wire"
)

// message is a record read back, decoded with package wire: a request log
// or an event.
type message struct {
	topic   string
	key     []byte
	headers []kgo.RecordHeader
	value   []byte

	log   *wire.RequestLog // set for a request log
	event *wire.Event      // set for an event
}

// header returns the value of the message's last header named key.
func (m *message) header(key string) string {
	for i := len(m.headers) - 1; i >= 0; i-- {
		if m.headers[i].Key == key {
			return string(m.headers[i].Value)
		}
	}
	return ""
}

// decode classifies a record's value as the tools do: a JSON object with
// "date" and "lines" is a request log, one with "event_type" and
// "timestamp" an event; anything else is not ours (ok is false).
func decode(r *kgo.Record) (m message, ok bool) {
	m = message{topic: r.Topic, key: bytes.Clone(r.Key), headers: r.Headers, value: bytes.Clone(r.Value)}
	var keys map[string]json.RawMessage
	if json.Unmarshal(r.Value, &keys) != nil {
		return m, false
	}
	_, date := keys["date"]
	_, lines := keys["lines"]
	_, eventType := keys["event_type"]
	_, timestamp := keys["timestamp"]
	switch {
	case date && lines:
		m.log = new(wire.RequestLog)
		return m, json.Unmarshal(r.Value, m.log) == nil
	case eventType && timestamp:
		m.event = new(wire.Event)
		return m, json.Unmarshal(r.Value, m.event) == nil
	}
	return m, false
}

// collect reads the logging and event topics from since until it has the
// request log of every request in reqs and every event those request logs
// list (by event ID), or fails after 20 seconds naming what is missing.
// Messages of other runs and services are skipped. It reads without a
// consumer group, as a tool would: it commits nothing.
func collect(ctx context.Context, brokers []string, since time.Time, reqs []*sent, topics ...string) error {
	byTrace := map[string]*sent{}
	for _, r := range reqs {
		byTrace[r.traceID] = r
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(brokers...),
		kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AfterMilli(since.UnixMilli())),
		kgo.FetchMaxWait(time.Second),
	)
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()

	events := map[string]message{} // by event ID
	for {
		missingLogs, missingEvents := 0, 0
		for _, r := range reqs {
			if r.log == nil {
				missingLogs++
				continue
			}
			for _, l := range r.log.log.Lines {
				if _, ok := events[l.EventID]; l.IsEvent() && l.EventID != "" && !ok {
					missingEvents++
				}
			}
		}
		if missingLogs == 0 && missingEvents == 0 {
			break
		}
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("reading back what the requests wrote: %d request logs and %d events still missing after 20s", missingLogs, missingEvents)
			}
			return err
		}
		fs.EachRecord(func(rec *kgo.Record) {
			m, ok := decode(rec)
			switch {
			case !ok:
			case m.log != nil:
				if r := byTrace[m.log.TraceID]; r != nil {
					r.log = &m
				}
			case m.event != nil:
				if id := m.header(wire.EventIDHeader); id != "" {
					events[id] = m
				}
			}
		})
	}
	for _, r := range reqs {
		for _, l := range r.log.log.Lines {
			if l.IsEvent() && l.EventID != "" {
				r.events = append(r.events, events[l.EventID])
			}
		}
	}
	return nil
}
