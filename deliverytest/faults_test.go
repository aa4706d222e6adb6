package deliverytest

import (
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestProduceErrors fails every third produce request with a retriable error
// while 2,000 events are emitted from eight goroutines, and finds each event
// exactly once, in order per partition key.
func TestProduceErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  *kerr.Error
	}{
		// Not appended: the client refreshes metadata and retries.
		{"NOT_LEADER_FOR_PARTITION", kerr.NotLeaderForPartition},
		// Appended, then answered as timed out (kfake applies the
		// write, as a real broker can): the retry must be recognized
		// as a duplicate by its producer ID and sequence number.
		{"REQUEST_TIMED_OUT", kerr.RequestTimedOut},
		// Not appended: retried on the same leader.
		{"NETWORK_EXCEPTION", kerr.NetworkException},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t)
			every := &everyNth{n: 3}
			faults := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Err: tc.err, Count: -1, When: every.when})
			p := newPipeline(t, c.ListenAddrs())
			l := newLedger()
			p.emit(t, l, workload{name: "w", workers: 8, perWorker: 250, ackEvery: 10})
			p.flush(t)
			faulted, requests := faults.Hits(), every.requests()
			faults.Remove()

			r := account(t, l, p, readAll(t, c.ListenAddrs(), eventType, loggingTopic))
			t.Logf("%s: %d of %d produce requests faulted; %v", tc.name, faulted, requests, r)
			if faulted == 0 {
				t.Error("no produce request was faulted")
			}
			r.requireExact(t)
		})
	}
}

// everyNth selects every nth request it is asked about. kfake asks a fault's
// When once per topic and partition of a request, so the choice is made
// once per request and repeated for its other partitions.
type everyNth struct {
	n        int
	mu       sync.Mutex
	last     kmsg.Request
	seen     int
	selected bool
}

func (e *everyNth) when(r kmsg.Request) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r != e.last {
		e.last, e.seen = r, e.seen+1
		e.selected = e.seen%e.n == 0
	}
	return e.selected
}

func (e *everyNth) requests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.seen
}
