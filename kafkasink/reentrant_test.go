package kafkasink_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// A Produce called from a done callback while the bound is reached returns
// within its context: franz-go counts a record until its promise returns, so
// its own bound must leave room for one more (a deadlock before).
func TestProduceFromDoneDoesNotDeadlock(t *testing.T) {
	for _, n := range []int{1, 10} {
		seeds := otelrelayertest.Cluster(t)
		p, err := kafkasink.New(kafkasink.WithBrokers(seeds...), kafkasink.WithMaxBufferedRecords(n), kafkasink.WithLogger(nil))
		if err != nil {
			t.Fatal(err)
		}
		returned := make(chan struct{})
		// fill every slot (n-n/10 for live contexts)
		for i := range n - n/10 {
			p.Produce(context.Background(), kafkasink.Message{Topic: "a", Value: []byte("1")}, func(error) {
				if i != 0 {
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				defer cancel()
				p.Produce(ctx, kafkasink.Message{Topic: "a", Value: []byte("2")}, nil)
				close(returned)
			})
		}
		// and the reserve, with reserved contexts already done (an
		// unreserved one no longer takes it)
		canceled, cancel := context.WithCancel(context.Background())
		cancel()
		for range n / 10 {
			p.Produce(kafkasink.Reserved(canceled), kafkasink.Message{Topic: "a", Value: []byte("r")}, func(err error) {
				if errors.Is(err, kafkasink.ErrBufferFull) {
					t.Errorf("n=%d: the reserve was not taken: %v", n, err)
				}
			})
		}
		select {
		case <-returned:
			t.Logf("n=%d: inner Produce returned", n)
		case <-time.After(3 * time.Second):
			t.Errorf("n=%d: Produce called from done still blocked after 3s (its ctx: 200ms)", n)
		}
	}
}
