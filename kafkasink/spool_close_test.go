package kafkasink_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestSpoolCloseDeliversWhileTheBrokerAnswers: Close keeps delivering
// while a broker answers, however slowly, and returns nil only with the
// spool empty; nothing is left behind for the next start.
func TestSpoolCloseDeliversWhileTheBrokerAnswers(t *testing.T) {
	tests := []struct {
		name string
		slow time.Duration // added to every produce request
		opts []kafkasink.Option
	}{
		{"commit interval longer than the idle rule", 0, []kafkasink.Option{kafkasink.WithSpoolCommitInterval(time.Second)}},
		{"slow broker", 400 * time.Millisecond, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			if tt.slow > 0 {
				c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
					c.KeepControl()
					time.Sleep(tt.slow)
					return nil, nil, false
				})
			}
			dir := t.TempDir()
			opts := append([]kafkasink.Option{kafkasink.WithBrokers(c.ListenAddrs()...), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir)}, tt.opts...)
			p, err := kafkasink.New(opts...)
			if err != nil {
				t.Fatal(err)
			}
			const n = 500
			produceAll(t, p, "drained", n)
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			start := time.Now()
			if err := p.Close(ctx); err != nil {
				t.Fatalf("Close = %v after %v, want nil: the broker answers", err, time.Since(start))
			}
			t.Logf("Close delivered %d records in %v", n, time.Since(start))
			if got := len(consume(t, c.ListenAddrs(), "drained", n)); got != n {
				t.Fatalf("read back %d, want %d", got, n)
			}
		})
	}
}
