package exporter_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
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
	const goroutines, each, padMod = 8, 300, 500 // every pooled size, and beyond
	numberedRequests(t, tracer, goroutines, each, padMod)
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkNumberedRequests(t, sink.messages("order_created"), sink.messages("logging"), goroutines*each, padMod)
}

// releasingAckSink acknowledges at once, keeps nothing, and releases.
type releasingAckSink struct{ ackingSink }

func (releasingAckSink) ReleasesMessages() bool { return true }
