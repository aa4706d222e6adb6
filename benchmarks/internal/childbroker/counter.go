package childbroker

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/testing/kafkaends"
)

// ErrMissing is returned by a harness when the broker holds fewer messages
// than were reported produced.
var ErrMissing = errors.New("messages missing on the broker")

// Counter reads how many messages the broker holds on a benchmark's topics:
// the sum of the end offsets of all their partitions.
type Counter struct {
	cl     *kgo.Client
	topics []string
}

// NewCounter also creates the topics, with one message each, so that no
// measurement pays for their creation.
func NewCounter(ctx context.Context, addrs []string, topics ...string) (*Counter, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.AllowAutoTopicCreation())
	if err != nil {
		return nil, err
	}
	for _, t := range topics {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: t, Value: []byte(`{}`)}).FirstErr(); err != nil {
			cl.Close()
			return nil, fmt.Errorf("creating topic %s: %w", t, err)
		}
	}
	return &Counter{cl: cl, topics: topics}, nil
}

// Close closes the counter's client.
func (c *Counter) Close() { c.cl.Close() }

// Count returns the number of messages on the broker, topics that do not
// exist yet counting zero.
func (c *Counter) Count(ctx context.Context) (int64, error) {
	ends, err := kafkaends.List(ctx, c.cl, c.topics)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, parts := range ends {
		for _, end := range parts {
			n += end
		}
	}
	return n, nil
}
