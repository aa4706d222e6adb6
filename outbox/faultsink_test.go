package outbox_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// faultSink is a kafkasink.Sink with faults injected at one named point,
// the broker's answer: it acknowledges every message at once unless fail
// says otherwise (a failure is reported before Produce returns, as
// kafkasink does for a full buffer), or after delay. The tests that use it
// need an answer the embedded broker cannot be made to give on cue (one
// record failing, the next accepted), or 70,000 records fast.
type faultSink struct {
	mu       sync.Mutex
	produced []kafkasink.Message // acknowledged, in order
	calls    int
	fail     func(call int, m kafkasink.Message) error
	delay    time.Duration // answer after it, from another goroutine
}

func (s *faultSink) Produce(_ context.Context, m kafkasink.Message, done func(error)) {
	s.mu.Lock()
	s.calls++
	var err error
	if s.fail != nil {
		err = s.fail(s.calls, m)
	}
	if err == nil {
		s.produced = append(s.produced, kafkasink.Message{Topic: m.Topic, Key: m.Key, Value: append([]byte(nil), m.Value...)})
	}
	s.mu.Unlock()
	if s.delay > 0 {
		go func() { time.Sleep(s.delay); done(err) }()
		return
	}
	done(err)
}

func (s *faultSink) produceCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *faultSink) Flush(context.Context) error { return nil }
func (s *faultSink) Close(context.Context) error { return nil }

func (s *faultSink) acknowledged() []kafkasink.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]kafkasink.Message(nil), s.produced...)
}

func decodeOrderValue(t testing.TB, v []byte) order {
	t.Helper()
	var e struct {
		Payload order `json:"payload"`
	}
	if err := json.Unmarshal(v, &e); err != nil {
		t.Fatalf("value %q: %v", v, err)
	}
	return e.Payload
}
