package deliverytest

import (
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestBrokerRestart closes a broker that persists to a data directory while
// events are being produced, keeps emitting while it is down, and starts a
// new broker on the same port and directory about a second later: the events
// acknowledged before the restart are still there, and every event emitted
// around and during the downtime is delivered after it, exactly once.
func TestBrokerRestart(t *testing.T) {
	dir := t.TempDir()
	first := newCluster(t, kfake.DataDir(dir))
	addr := first.ListenAddrs()[0]
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	received := countProduced(first)
	p := newPipeline(t, []string{addr})
	l := newLedger()

	// Before: every event waits for its acknowledgement.
	p.emit(t, l, workload{name: "before", workers: 4, perWorker: 100, ackEvery: 1})
	acked := l.acknowledged()
	atStart := received()

	// Around: the broker closes once it has received 300 of these records
	// (events and request logs); the rest are buffered or in flight.
	emitted := make(chan struct{})
	go func() {
		defer close(emitted)
		p.emit(t, l, workload{name: "around", workers: 4, perWorker: 200})
	}()
	for received() < atStart+300 {
		time.Sleep(time.Millisecond)
	}
	first.Close()
	atClose := received()
	<-emitted
	// During: nothing listens; Emit returns at once.
	p.emit(t, l, workload{name: "during", workers: 4, perWorker: 50})
	time.Sleep(time.Second)

	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	second := newCluster(t, kfake.DataDir(dir), kfake.Ports(n))
	p.flush(t)

	r := account(t, l, p, readAll(t, second.ListenAddrs(), eventType, loggingTopic))
	t.Logf("%d events acknowledged before the restart; the first broker received %d records before the \"around\" phase and %d during it before it closed; %v",
		len(acked), atStart, atClose-atStart, r)
	if len(acked) != 400 {
		t.Errorf("%d events acknowledged before the restart, want 400", len(acked))
	}
	r.requireExact(t) // every event, the acknowledged ones included
}

// countProduced returns a function reporting how many records the produce
// requests received by c held. It observes through a fault that faults
// nothing: a Control function would do, but kfake handles a request whose
// control function is running after Close has saved the data directory,
// and the restarted broker then takes that batch's retry as new.
func countProduced(c *kfake.Cluster) func() int {
	var (
		mu      sync.Mutex
		last    kmsg.Request
		records int
	)
	c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Count: -1, Observe: true, When: func(req kmsg.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		if req == last { // asked once per topic and partition
			return true
		}
		last = req
		for _, rt := range req.(*kmsg.ProduceRequest).Topics {
			for _, rp := range rt.Partitions {
				var b kmsg.RecordBatch
				if b.ReadFrom(rp.Records) == nil {
					records += int(b.NumRecords)
				}
			}
		}
		return true
	}})
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return records
	}
}
