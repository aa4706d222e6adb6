package deliverytest

import (
	"flag"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// long runs the long variants of the delivery tests (go test -long).
var long = flag.Bool("long", false, "run the long variants of the delivery tests (100,000-event storm, more crashes)")

// TestStormWithDefaults is the leader-churn storm of a three-broker cluster,
// against a producer built with the library's defaults and nothing else:
// bursts of dozens of retriable produce errors in a row
// (NOT_LEADER_FOR_PARTITION, NETWORK_EXCEPTION) and every leader moved a few
// times, while events are emitted from eight goroutines. Every event and
// every request log must arrive exactly once, in order per partition key,
// with no error reported: well inside the default delivery timeout.
func TestStormWithDefaults(t *testing.T) {
	const (
		brokers    = 3
		partitions = 6
		burst      = 40 // produce requests failed in a row, per burst
	)
	total := 20_000
	if *long {
		total = 100_000
	}
	bursts, shuffles := 10, 4
	c := newCluster(t, kfake.NumBrokers(brokers), kfake.SeedTopics(partitions, eventType, loggingTopic))
	p := newPipeline(t, c.ListenAddrs())
	l := newLedger()

	// The storm: at each tenth of the events, a burst of errors; at each
	// fifth, every leader moves to the next broker.
	stop := make(chan struct{})
	stormDone := make(chan stormCounts)
	go func() {
		var sc stormCounts
		defer func() { stormDone <- sc }()
		codes := []*kerr.Error{kerr.NotLeaderForPartition, kerr.NetworkException}
		for i := 1; i <= bursts; i++ {
			if !waitReturned(l, int64(total*i/(bursts+1)), stop) {
				return
			}
			h := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Err: codes[i%len(codes)], Count: burst})
			sc.handles = append(sc.handles, h)
			if i%(bursts/shuffles) == 0 {
				for _, topic := range []string{eventType, loggingTopic} {
					for part := range int32(partitions) {
						if err := c.MoveTopicPartition(topic, part, (c.LeaderFor(topic, part)+1)%brokers); err != nil {
							t.Errorf("moving %s/%d: %v", topic, part, err)
							return
						}
						sc.moves++
					}
				}
			}
		}
	}()
	start := time.Now()
	p.emit(t, l, workload{name: "storm", workers: 8, perWorker: total / 8, ackEvery: 100, within: kafkasink.DefaultDeliveryTimeout})
	p.flushWithin(t, kafkasink.DefaultDeliveryTimeout) // the storm must pass well inside it
	elapsed := time.Since(start)
	close(stop)
	sc := <-stormDone
	faulted := 0
	for _, h := range sc.handles {
		faulted += h.Hits()
		h.Remove()
	}

	r := account(t, l, p, readAll(t, c.ListenAddrs(), eventType, loggingTopic))
	t.Logf("storm of %d events: %d produce requests failed in %d bursts, %d leader moves; delivered in %v; %v",
		total, faulted, len(sc.handles), sc.moves, elapsed.Round(time.Millisecond), r)
	if faulted < len(sc.handles)*burst/2 || sc.moves == 0 {
		t.Errorf("the storm did not happen: %d produce requests failed, %d leader moves", faulted, sc.moves)
	}
	r.requireExact(t)
}

type stormCounts struct {
	handles []*kfake.FaultHandle
	moves   int
}

// waitReturned waits until n Emit calls returned; false when stopped first.
func waitReturned(l *ledger, n int64, stop <-chan struct{}) bool {
	for l.returned.Load() < n {
		select {
		case <-stop:
			return false
		case <-time.After(time.Millisecond):
		}
	}
	return true
}
