package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/otelrelayer/otelrelayer/wire"
)

// sent is a request the quickstart made. It starts the request's trace
// (a traceparent header with a trace ID of its own), so that what the
// request wrote is found by trace ID, whatever else the topics hold.
type sent struct {
	method, path, body string
	status             int
	traceID            string

	log    *message  // its request log
	events []message // its events, in time order
}

func newTraceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// printAccount writes, request by request, the events and the request log
// each one wrote, in the console format, and once the raw JSON of an event
// and of its request log.
func printAccount(w io.Writer, reqs []*sent, s style) {
	slices.SortStableFunc(reqs, func(a, b *sent) int { return a.log.log.Date.Compare(b.log.log.Date.Time) })
	fmt.Fprintf(w, "What each request wrote, in time order (its events on their topics, then its request log on %q):\n", reqs[0].log.topic)
	rawShown := false
	for i, r := range reqs {
		fmt.Fprintf(w, "\n%d. %s %s -> %d\n", i+1, r.method, r.path, r.status)
		for _, e := range r.events {
			writeIndented(w, e.topic, eventRow(e.event, e.header(wire.EventIDHeader), s))
		}
		writeIndented(w, r.log.topic, requestLogRows(r.log.log, s))
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
func writeRaw(w io.Writer, m *message) {
	fmt.Fprintf(w, "\n   topic %s, key %q, headers:", m.topic, m.key)
	for _, h := range m.headers {
		fmt.Fprintf(w, " %s=%s", h.Key, h.Value)
	}
	fmt.Fprintln(w)
	dec := json.NewDecoder(bytes.NewReader(m.value))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		fmt.Fprintf(w, "   %s\n", m.value)
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
			fmt.Fprintf(w, "   %s\n", m.value)
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

// printNext suggests what to try after the quickstart.
func printNext(w io.Writer) {
	fmt.Fprint(w, `
Next, from the repository root:

    make run ARGS=-keep-running      # keep the orders API and its broker up: curl it, follow it with relaytail
    go run ./cmd/relaytail -v        # follow the request logs of the brokers in KAFKA_BROKERS
    go run ./cmd/relayer-dev         # a Kafka broker for your own service: KAFKA_BROKERS=127.0.0.1:9092

`)
}
