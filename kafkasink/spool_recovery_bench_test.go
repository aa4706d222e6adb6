package kafkasink_test

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

var recoveryBench = flag.String("recoverybench", "", "spooled record counts (comma-separated) for TestSpoolRecoveryTime, e.g. 10000,1000000")

// TestSpoolRecoveryTime is a harness, run with -recoverybench=N[,N...]: it
// prints how long a producer takes from New to an empty spool when an
// earlier process left N records, all of them already on the broker (the
// recovery's worst case: it reads N records back and produces none).
func TestSpoolRecoveryTime(t *testing.T) {
	if *recoveryBench == "" {
		t.Skip("a harness: run with -recoverybench=10000,1000000")
	}
	for _, f := range strings.Split(*recoveryBench, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(f, func(t *testing.T) {
			dir := t.TempDir()
			away, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir),
				kafkasink.WithSpoolCommitInterval(20*time.Millisecond), kafkasink.WithSpoolMaxBytes(4<<30))
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				away.Produce(context.Background(), recoveryMessage(i), nil)
			}
			_ = away.Close(context.Background())

			seeds := otelrelayertest.Cluster(t)
			cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.AllowAutoTopicCreation())
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				m := recoveryMessage(i)
				cl.Produce(context.Background(), &kgo.Record{Topic: m.Topic, Key: m.Key, Value: m.Value, Headers: m.Headers}, nil)
			}
			if err := cl.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			cl.Close()

			start := time.Now()
			back, err := kafkasink.New(kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
			if err != nil {
				t.Fatal(err)
			}
			opened := time.Since(start)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			if err := back.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			if err := back.Close(ctx); err != nil {
				t.Fatal(err)
			}
			t.Logf("recovery of %d spooled records, all already on the broker: New %v, New to an empty spool %v (%.0f records/s), none produced again",
				n, opened.Round(time.Millisecond), took.Round(time.Millisecond), float64(n)/took.Seconds())
		})
	}
}

func recoveryMessage(i int) kafkasink.Message {
	return kafkasink.Message{
		Topic:   "recovery",
		Key:     []byte(fmt.Sprintf("key-%d", i%64)),
		Value:   []byte(fmt.Sprintf(`{"n":%d,"pad":"0123456789012345678901234567890123456789"}`, i)),
		Headers: []kafkasink.Header{{Key: "relayer-event-id", Value: []byte(fmt.Sprintf("019af3c2-0000-7000-8000-%012d", i))}},
	}
}
