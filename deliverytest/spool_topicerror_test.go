package deliverytest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestSpoolBacklogSurvivesATransientTopicError: events are spooled during
// an outage; Kafka comes back refusing the topic with
// TOPIC_AUTHORIZATION_FAILED (an ACL mistake at a deploy) for 3s, then the
// ACL is fixed. An error about the topic never deletes a record: every
// event and request log is delivered exactly once after the fix, and the
// error handler reports none as failed.
func TestSpoolBacklogSurvivesATransientTopicError(t *testing.T) {
	addr, port := freeAddr(t)
	p := newSpoolPipeline(t, []string{addr}, t.TempDir())
	l := newLedger()
	p.emit(t, l, workload{name: "outage", workers: 10, perWorker: 100})

	var refusing atomic.Bool
	refusing.Store(true)
	c := newCluster(t, kfake.Ports(port))
	c.ControlKey(int16(kmsg.Produce), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kreq.(*kmsg.ProduceRequest)
		if !refusing.Load() {
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.ProduceResponse)
		for _, rt := range req.Topics {
			t := kmsg.NewProduceResponseTopic()
			t.Topic, t.TopicID = rt.Topic, rt.TopicID
			for _, rp := range rt.Partitions {
				p := kmsg.NewProduceResponseTopicPartition()
				p.Partition, p.ErrorCode = rp.Partition, kerr.TopicAuthorizationFailed.Code
				t.Partitions = append(t.Partitions, p)
			}
			resp.Topics = append(resp.Topics, t)
		}
		return resp, nil, true
	})
	time.Sleep(3 * time.Second)
	refusing.Store(false)
	p.flush(t)
	r := account(t, l, p, readAll(t, c.ListenAddrs(), eventType, loggingTopic))
	t.Logf("%v", r)
	r.requireExact(t)
}
