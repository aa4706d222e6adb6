package exporter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/wire"
)

// releasingSink says it releases messages at done (as a Producer without
// spool does) and reads each message as late as it may: it copies the
// message's bytes right before calling done, now or from another
// goroutine, as franz-go serializes a record before its promise. Memory
// reused before done would show in the copies.
type releasingSink struct {
	mu      sync.Mutex
	msgs    []kafkasink.Message
	n       int
	pending sync.WaitGroup // answers to come
}

func (*releasingSink) ReleasesMessages() bool { return true }

func (s *releasingSink) Produce(_ context.Context, m kafkasink.Message, done func(error)) {
	s.mu.Lock()
	s.n++
	later := s.n%2 == 0
	s.mu.Unlock()
	answer := func() {
		c := kafkasink.Message{Topic: m.Topic, Key: clone(m.Key), Value: clone(m.Value)}
		for _, h := range m.Headers {
			c.Headers = append(c.Headers, kafkasink.Header{Key: h.Key, Value: clone(h.Value)})
		}
		s.mu.Lock()
		s.msgs = append(s.msgs, c)
		s.mu.Unlock()
		done(nil)
	}
	if later {
		s.pending.Go(func() {
			runtime.Gosched()
			answer()
		})
		return
	}
	answer()
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

func (s *releasingSink) Flush(context.Context) error { s.pending.Wait(); return nil }
func (*releasingSink) Close(context.Context) error   { return nil }

func (s *releasingSink) messages(topic string) []kafkasink.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return byTopic(s.msgs, topic)
}

// With a sink that releases messages, the processor reuses the memory of
// events and request logs once the sink has answered: every message still
// reaches the sink as produced, and every request's log holds its own event
// (its payload and event ID), whether the sink answers before Produce
// returns or later, from concurrent requests of every event size.
func TestReusedMemoryNeverReachesAnotherMessage(t *testing.T) {
	sink := &releasingSink{}
	tp := newTracerProvider(t, sink, exporter.WithSource("shop"))
	tracer := tp.Tracer("t")
	const goroutines, each = 8, 300
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				n := g*each + i
				ctx, span := tracer.Start(context.Background(), fmt.Sprintf("request %d", n))
				pad := strings.Repeat("x", n%500) // every pooled size, and beyond
				if err := bridge.Emit(ctx, "order_created", "ok", map[string]any{"n": n, "pad": pad}); err != nil {
					t.Error(err)
				}
				if err := bridge.Log(ctx, "info", n); err != nil {
					t.Error(err)
				}
				span.End()
			}
		})
	}
	wg.Wait()
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	events := map[string]wire.Event{} // by event ID
	for _, m := range sink.messages("order_created") {
		var e wire.Event
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatalf("event %q: %v", m.Value, err)
		}
		id := ""
		for _, h := range m.Headers {
			if h.Key == wire.EventIDHeader {
				id = string(h.Value)
			}
		}
		events[id] = e
	}
	logs := sink.messages("logging")
	if len(events) != goroutines*each || len(logs) != goroutines*each {
		t.Fatalf("%d events with distinct IDs and %d request logs, want %d each", len(events), len(logs), goroutines*each)
	}
	for _, l := range requestLogs(t, logs) {
		var n int
		if _, err := fmt.Sscanf(l.Service, "request %d", &n); err != nil || len(l.Lines) != 2 {
			t.Fatalf("request log %+v", l)
		}
		ev, log := l.Lines[0], l.Lines[1]
		var payload struct {
			N   int
			Pad string
		}
		if err := json.Unmarshal(ev.Payload, &payload); err != nil || payload.N != n || payload.Pad != strings.Repeat("x", n%500) {
			t.Fatalf("request %d: event line %s", n, ev.Payload)
		}
		produced, ok := events[ev.EventID]
		if !ok || string(produced.Payload) != string(ev.Payload) {
			t.Fatalf("request %d: its line's event %s is not the event produced with that ID (%s)", n, ev.EventID, produced.Payload)
		}
		if string(log.Payload) != fmt.Sprint(n) {
			t.Fatalf("request %d: log line %s", n, log.Payload)
		}
	}
}

// releasingAckSink acknowledges at once, keeps nothing, and releases.
type releasingAckSink struct{ ackingSink }

func (releasingAckSink) ReleasesMessages() bool { return true }
