package otelrelayertest

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// Sink is an in-memory kafkasink.Sink that records every message, per topic,
// in the order produced: the Go counterpart of the Python library's
// MockedProducer.produced_messages. Produce delivers at once. It is safe for
// concurrent use; getters return copies.
type Sink struct {
	mu      sync.Mutex
	topics  []string // in order of first message
	byTopic map[string][]kafkasink.Message
	flushed bool
	closed  bool
}

var _ kafkasink.Sink = (*Sink)(nil)

// ErrSinkClosed is given to done for messages produced after Close.
var ErrSinkClosed = errors.New("otelrelayertest: sink is closed")

// NewSink returns an empty Sink.
func NewSink() *Sink { return &Sink{byTopic: map[string][]kafkasink.Message{}} }

// Produce records a copy of m and calls done(nil).
func (s *Sink) Produce(_ context.Context, m kafkasink.Message, done func(error)) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		if done != nil {
			done(ErrSinkClosed)
		}
		return
	}
	if _, ok := s.byTopic[m.Topic]; !ok {
		s.topics = append(s.topics, m.Topic)
	}
	s.byTopic[m.Topic] = append(s.byTopic[m.Topic], copyMessage(m))
	s.mu.Unlock()
	dumpSinkMessage(m)
	if done != nil {
		done(nil)
	}
}

// Flush records that it was called.
func (s *Sink) Flush(context.Context) error {
	s.mu.Lock()
	s.flushed = true
	s.mu.Unlock()
	return nil
}

// Close flushes and refuses further messages.
func (s *Sink) Close(ctx context.Context) error {
	err := s.Flush(ctx)
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return err
}

// Messages returns the messages produced to topic, in order.
func (s *Sink) Messages(topic string) []kafkasink.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]kafkasink.Message, len(s.byTopic[topic]))
	for i, m := range s.byTopic[topic] {
		out[i] = copyMessage(m)
	}
	return out
}

// Topics returns the topics written to, in order of their first message.
func (s *Sink) Topics() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.topics)
}

// Flushed reports whether Flush or Close was called.
func (s *Sink) Flushed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushed
}

// Reset forgets every message recorded so far.
func (s *Sink) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.topics = nil
	s.byTopic = map[string][]kafkasink.Message{}
	s.flushed = false
}

func copyMessage(m kafkasink.Message) kafkasink.Message {
	c := kafkasink.Message{Topic: m.Topic, Key: slices.Clone(m.Key), Value: slices.Clone(m.Value)}
	if m.Headers != nil {
		c.Headers = make([]kafkasink.Header, len(m.Headers))
		for i, h := range m.Headers {
			c.Headers[i] = kafkasink.Header{Key: h.Key, Value: slices.Clone(h.Value)}
		}
	}
	return c
}

// FailingSink is a [Sink] that fails, at once, every message to its topics
// (every message when it has none) with its error, and records the others:
// a broker refusing messages, or a producer that is full. It is safe for
// concurrent use.
type FailingSink struct {
	*Sink
	err    error
	topics []string
}

// NewFailingSink returns a FailingSink failing messages to topics with err.
func NewFailingSink(err error, topics ...string) *FailingSink {
	return &FailingSink{Sink: NewSink(), err: err, topics: slices.Clone(topics)}
}

// Produce fails m with the sink's error when its topic is one of the sink's,
// and records it otherwise.
func (s *FailingSink) Produce(ctx context.Context, m kafkasink.Message, done func(error)) {
	if len(s.topics) == 0 || slices.Contains(s.topics, m.Topic) {
		if done != nil {
			done(s.err)
		}
		return
	}
	s.Sink.Produce(ctx, m, done)
}
