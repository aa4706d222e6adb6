package kafkasink

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Header is a Kafka record header.
type Header = kgo.RecordHeader

// Message is one Kafka record to produce: its topic, key, value and headers.
// Once Produce is called, the caller must not modify a Message's slices, and
// a Sink must treat them as read-only: the caller may still read them (the
// exporter builds a request's line from the event it produced).
type Message struct {
	Topic   string
	Key     []byte
	Value   []byte
	Headers []Header
}

// Sink produces messages to Kafka, or to wherever a test or a developer wants
// them.
//
// Implementations must be safe for concurrent use.
type Sink interface {
	// Produce hands m to the sink and returns without waiting for delivery.
	// done, when not nil, is called exactly once with the delivery result,
	// possibly before Produce returns. done must not block.
	//
	// Produce may wait while the sink's buffer is full, but never beyond ctx:
	// when ctx is done it fails the message with ctx's error instead, and
	// when ctx is already done on entry it does not wait for room. ctx bounds
	// only that wait; it does not cancel a message once accepted. A sink
	// may wait for a message to be durable before returning whatever ctx
	// says: [WithSpool] does, for the fsync of its commit.
	Produce(ctx context.Context, m Message, done func(error))

	// Flush waits until every message accepted so far is delivered or has
	// failed, or until ctx is done, and returns ctx's error in that case.
	Flush(ctx context.Context) error

	// Close flushes within ctx and releases the sink. Produce after Close
	// fails each message through done.
	Close(ctx context.Context) error
}
