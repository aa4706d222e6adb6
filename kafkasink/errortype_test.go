package kafkasink_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

func TestErrorType(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{kerr.NotLeaderForPartition, "NOT_LEADER_FOR_PARTITION"},
		{fmt.Errorf("wrapped: %w", kerr.RequestTimedOut), "REQUEST_TIMED_OUT"},
		{fmt.Errorf("%w: %w", kafkasink.ErrBufferFull, context.Canceled), "buffer_full"},
		{kgo.ErrRecordTimeout, "timeout"},
		{context.DeadlineExceeded, "timeout"},
		{context.Canceled, "canceled"},
		{kgo.ErrClientClosed, "client_closed"},
		{errors.New("something else"), "_OTHER"},
	}
	for _, tt := range tests {
		if got := kafkasink.ErrorType(tt.err); got != tt.want {
			t.Errorf("ErrorType(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// franz-go limits set smaller than the producer's own (through
// WithClientOptions) fail a record at once instead of blocking Produce.
func TestSmallerFranzGoLimitsNeverBlock(t *testing.T) {
	p, err := kafkasink.New(kafkasink.WithBrokers("127.0.0.1:1"), kafkasink.WithoutEnvironment(),
		kafkasink.WithClientOptions(kgo.MaxBufferedRecords(1)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = p.Close(ctx) // the first record never gets a broker: do not wait for it
	}()
	results := make(chan error, 2)
	for range 2 {
		p.Produce(context.Background(), kafkasink.Message{Topic: "t", Value: []byte("v")}, func(err error) { results <- err })
	}
	select {
	case err := <-results:
		if !errors.Is(err, kafkasink.ErrBufferFull) {
			t.Fatalf("second record failed with %v, want ErrBufferFull", err)
		}
	case <-time.After(5 * time.Second): // an upper bound: it fails at once
		t.Fatal("no record failed: Produce blocked or waited")
	}
}
