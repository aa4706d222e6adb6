package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/wire"
)

// sent is one request through a variant and the records it wrote.
type sent struct {
	event, log *kgo.Record
}

// oneRequest serves one request with variant against an embedded broker and
// returns its two records.
func oneRequest(t *testing.T, variant string) sent {
	t.Helper()
	addrs := otelrelayertest.Cluster(t)
	s, err := newService(variant, addrs)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	req, err := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/root?x=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "ua/1")
	req.Header.Set("X-Request-ID", "req-1")
	req.Header.Set("X-Forwarded-For", "10.0.0.1")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("%s: status %d", variant, resp.StatusCode)
	}
	if err := s.close(t.Context()); err != nil {
		t.Fatalf("%s: %v", variant, err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics("entity_created", loggingTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out sent
	for out.event == nil || out.log == nil {
		fs := cl.PollFetches(t.Context())
		if err := fs.Err0(); err != nil {
			t.Fatal(err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			switch r.Topic {
			case "entity_created":
				out.event = r
			case loggingTopic:
				out.log = r
			}
		})
	}
	return out
}

// TestHandrolledWritesTheLibrarysMessages proves the comparison apples to
// apples: one request through the hand-rolled service and one through the
// library write the same two messages, topic, key, headers, JSON keys in
// order and values, apart from what differs between any two requests
// (times, trace and event IDs).
func TestHandrolledWritesTheLibrarysMessages(t *testing.T) {
	hand, lib := oneRequest(t, "handrolled"), oneRequest(t, "relayer")
	for _, c := range []struct {
		name string
		of   func(t *testing.T, s sent) any
	}{
		{"topics", func(_ *testing.T, s sent) any { return []string{s.event.Topic, s.log.Topic} }},
		{"event key", func(_ *testing.T, s sent) any { return string(s.event.Key) }},
		{"header names", func(_ *testing.T, s sent) any { return [][]string{headerNames(s.event), headerNames(s.log)} }},
		{"event JSON keys", func(t *testing.T, s sent) any { return jsonKeys(t, s.event.Value) }},
		{"request log JSON keys", func(t *testing.T, s sent) any { return jsonKeys(t, s.log.Value) }},
		{"line JSON keys", func(t *testing.T, s sent) any {
			var rl struct{ Lines []json.RawMessage }
			decode(t, s.log.Value, &rl)
			var keys [][]string
			for _, l := range rl.Lines {
				keys = append(keys, jsonKeys(t, l))
			}
			return keys
		}},
		{"event", func(t *testing.T, s sent) any {
			var e wire.Event
			decode(t, s.event.Value, &e)
			if e.Timestamp.IsZero() {
				t.Error("event without timestamp")
			}
			e.Timestamp = wire.Time{}
			return e
		}},
		{"request log", func(t *testing.T, s sent) any { return normalized(t, s) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if h, l := c.of(t, hand), c.of(t, lib); !reflect.DeepEqual(h, l) {
				t.Errorf("hand-rolled:\n%+v\nlibrary:\n%+v", h, l)
			}
		})
	}
}

// normalized decodes s's request log, checks its IDs against the records'
// key and headers, and zeroes what differs between two requests.
func normalized(t *testing.T, s sent) wire.RequestLog {
	t.Helper()
	var rl wire.RequestLog
	decode(t, s.log.Value, &rl)
	if rl.Date.IsZero() || rl.RequestTime <= 0 {
		t.Errorf("date %v, request_time %v", rl.Date, rl.RequestTime)
	}
	if string(s.log.Key) != rl.TraceID {
		t.Errorf("request log key %q, trace_id %q", s.log.Key, rl.TraceID)
	}
	traceparent := "00-" + rl.TraceID + "-" + rl.SpanID + "-01"
	for _, r := range []*kgo.Record{s.event, s.log} {
		if got := header(r, wire.TraceparentHeader); got != traceparent {
			t.Errorf("%s: traceparent %q, want %q (the request's root span)", r.Topic, got, traceparent)
		}
		if id, err := uuid.Parse(header(r, wire.EventIDHeader)); err != nil || id.Version() != 7 {
			t.Errorf("%s: event ID %q is not a UUIDv7 (%v)", r.Topic, header(r, wire.EventIDHeader), err)
		}
	}
	if header(s.event, wire.EventIDHeader) == header(s.log, wire.EventIDHeader) {
		t.Error("the event and the request log share an event ID")
	}
	for i := range rl.Lines {
		l := &rl.Lines[i]
		if l.IsEvent() && l.EventID != header(s.event, wire.EventIDHeader) {
			t.Errorf("event line's event_id %q, the event's header %q", l.EventID, header(s.event, wire.EventIDHeader))
		}
		if l.Timestamp.IsZero() {
			t.Errorf("line %d without timestamp", i)
		}
		l.Timestamp, l.EventID, l.Raw = wire.Time{}, "", nil
	}
	rl.Date, rl.RequestTime, rl.TraceID, rl.SpanID = wire.Time{}, 0, "", ""
	return rl
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

// jsonKeys returns the keys of the JSON object b, in order.
func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	var keys []string
	d := json.NewDecoder(bytes.NewReader(b))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", b)
	}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func headerNames(r *kgo.Record) []string {
	var names []string
	for _, h := range r.Headers {
		names = append(names, h.Key)
	}
	return names
}

func header(r *kgo.Record, name string) string {
	i := slices.IndexFunc(r.Headers, func(h kgo.RecordHeader) bool { return h.Key == name })
	if i < 0 {
		return ""
	}
	return string(r.Headers[i].Value)
}
