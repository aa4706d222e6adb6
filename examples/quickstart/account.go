package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/internal/consolefmt"
	"github.com/otelrelayer/otelrelayer/internal/tail"
	"github.com/otelrelayer/otelrelayer/wire"
)

// sent is a request the quickstart made. It starts the request's trace
// (a traceparent header with a trace ID of its own), so that what the
// request wrote is found by trace ID, whatever else the topics hold.
type sent struct {
	method, path, body string
	status             int
	traceID            string

	log    *tail.Message  // its request log
	events []tail.Message // its events, in time order
}

func newTraceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// collect reads the logging and event topics from since until it has the
// request log of every request in reqs and every event those request logs
// list (by event ID), or fails after 20 seconds naming what is missing.
// Messages of other runs and services are skipped.
func collect(ctx context.Context, brokers []string, since time.Time, reqs []*sent, topics ...string) error {
	byTrace := map[string]*sent{}
	for _, r := range reqs {
		byTrace[r.traceID] = r
	}
	tl, err := tail.Open(ctx, tail.Config{Brokers: brokers, Topics: topics, Since: since})
	if err != nil {
		return err
	}
	defer tl.Close()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()

	events := map[string]tail.Message{} // by event ID
	for {
		missingLogs, missingEvents := 0, 0
		for _, r := range reqs {
			if r.log == nil {
				missingLogs++
				continue
			}
			for _, l := range r.log.RequestLog.Lines {
				if l.IsEvent() && l.EventID != "" {
					if _, ok := events[l.EventID]; !ok {
						missingEvents++
					}
				}
			}
		}
		if missingLogs == 0 && missingEvents == 0 {
			break
		}
		m, err := tl.Next(ctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("reading back what the requests wrote: %d request logs and %d events still missing after 20s", missingLogs, missingEvents)
			}
			return err
		}
		switch m.Kind {
		case tail.KindRequestLog:
			if r := byTrace[m.RequestLog.TraceID]; r != nil {
				r.log = &m
			}
		case tail.KindEvent:
			if id, ok := m.Header(wire.EventIDHeader); ok {
				events[string(id)] = m
			}
		}
	}
	for _, r := range reqs {
		for _, l := range r.log.RequestLog.Lines {
			if l.IsEvent() && l.EventID != "" {
				r.events = append(r.events, events[l.EventID])
			}
		}
	}
	return nil
}

// printAccount writes, request by request, the events and the request log
// each one wrote, in the console format, and once the raw JSON of an event
// and of its request log.
func printAccount(w io.Writer, reqs []*sent, o consolefmt.Options) {
	slices.SortStableFunc(reqs, func(a, b *sent) int { return a.log.Time().Compare(b.log.Time()) })
	fmt.Fprintf(w, "What each request wrote, in time order (its events on their topics, then its request log on %q):\n", reqs[0].log.Topic)
	rawShown := false
	for i, r := range reqs {
		fmt.Fprintf(w, "\n%d. %s %s -> %d\n", i+1, r.method, r.path, r.status)
		for _, e := range r.events {
			id, _ := e.Header(wire.EventIDHeader)
			writeIndented(w, e.Topic, consolefmt.Event(e.Topic, e.Event, string(id), o))
		}
		writeIndented(w, r.log.Topic, consolefmt.RequestLog(r.log.RequestLog, o))
		if !rawShown && len(r.events) > 0 {
			rawShown = true
			fmt.Fprintf(w, "\n   On the wire, this event and this request log are JSON (the same for every event and request log):\n")
			writeRaw(w, &r.events[0])
			writeRaw(w, r.log)
		}
	}
}

// writeIndented writes rows under a column naming the topic.
func writeIndented(w io.Writer, topic, rows string) {
	first := true
	for row := range strings.SplitSeq(strings.TrimSuffix(rows, "\n"), "\n") {
		label := ""
		if first {
			label = topic
			first = false
		}
		fmt.Fprintf(w, "   %-14s %s\n", label, row)
	}
}

// writeRaw writes a message's topic, key, headers and value, a key of the
// JSON object per row with its value compact, in the order written.
func writeRaw(w io.Writer, m *tail.Message) {
	fmt.Fprintf(w, "\n   topic %s, key %q, headers:", m.Topic, m.Key)
	for _, h := range m.Headers {
		fmt.Fprintf(w, " %s=%s", h.Key, h.Value)
	}
	fmt.Fprintln(w)
	dec := json.NewDecoder(bytes.NewReader(m.Value))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		fmt.Fprintf(w, "   %s\n", m.Value)
		return
	}
	fmt.Fprintln(w, "   {")
	for dec.More() {
		key, err := dec.Token()
		var value json.RawMessage
		if err == nil {
			err = dec.Decode(&value)
		}
		if err != nil {
			fmt.Fprintf(w, "   %s\n", m.Value)
			return
		}
		comma := ","
		if !dec.More() {
			comma = ""
		}
		var items []json.RawMessage
		if json.Unmarshal(value, &items) == nil && len(items) > 0 {
			// An array (the lines): an item per row.
			fmt.Fprintf(w, "     %q: [\n", key)
			for i, item := range items {
				sep := ","
				if i == len(items)-1 {
					sep = ""
				}
				fmt.Fprintf(w, "       %s%s\n", compact(item), sep)
			}
			fmt.Fprintf(w, "     ]%s\n", comma)
			continue
		}
		fmt.Fprintf(w, "     %q: %s%s\n", key, compact(value), comma)
	}
	fmt.Fprintln(w, "   }")
}

func compact(v json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return string(v)
	}
	return b.String()
}

// printNext suggests what to try after the quickstart.
func printNext(w io.Writer) {
	fmt.Fprint(w, `
Next, from the repository root:

    make run ARGS=-keep-running      # keep the orders API and its broker up: curl it, follow it with relaytail
    go run ./cmd/relaytail -v        # follow the request logs of the brokers in KAFKA_BROKERS
    go run ./cmd/relayer-dev         # a Kafka broker for your own service: KAFKA_BROKERS=127.0.0.1:9092

`)
}
