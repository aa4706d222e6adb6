package deliverytest

import (
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestLeadersMove moves the leader of every partition of both topics to the
// next broker of a three-broker cluster after every 100 events Emit returned,
// while 2,000 events are emitted, and finds each event exactly once, in order
// per partition key.
func TestLeadersMove(t *testing.T) {
	const (
		brokers    = 3
		partitions = 6
		total      = 2000
		perRound   = 100
	)
	c := newCluster(t, kfake.NumBrokers(brokers), kfake.SeedTopics(partitions, eventType, loggingTopic))
	// Observe which brokers receive produce requests: the producer must
	// follow the leaders to all three.
	var mu sync.Mutex
	produces := map[int32]int{}
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		mu.Lock()
		produces[c.CurrentNode()]++
		mu.Unlock()
		return nil, nil, false // not handled: the broker answers as usual
	})
	p := newPipeline(t, c.ListenAddrs())
	l := newLedger()

	stop := make(chan struct{})
	moved := make(chan int)
	go func() {
		moves := 0
		defer func() { moved <- moves }()
		for round := 1; round*perRound <= total; round++ {
			for l.returned.Load() < int64(round*perRound) {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
			}
			for _, topic := range []string{eventType, loggingTopic} {
				for part := range int32(partitions) {
					next := (c.LeaderFor(topic, part) + 1) % brokers
					if err := c.MoveTopicPartition(topic, part, next); err != nil {
						t.Errorf("moving %s/%d to %d: %v", topic, part, next, err)
						return
					}
					moves++
				}
			}
		}
	}()
	p.emit(t, l, workload{name: "w", workers: 8, perWorker: total / 8, ackEvery: 10})
	close(stop)
	moves := <-moved
	p.flush(t)

	r := account(t, l, p, readAll(t, c.ListenAddrs(), eventType, loggingTopic))
	mu.Lock()
	t.Logf("%d leader moves over %d brokers; produce requests per broker %v; %v", moves, brokers, produces, r)
	if moves == 0 || len(produces) != brokers {
		t.Errorf("%d leader moves, produce requests per broker %v: the test did not move the producer around", moves, produces)
	}
	mu.Unlock()
	r.requireExact(t)
}
