package deliverytest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
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
	testkit.RefuseProduce(c, refusing.Load, kerr.TopicAuthorizationFailed.Code)
	time.Sleep(3 * time.Second)
	refusing.Store(false)
	p.flush(t)
	r := account(t, l, p, readAll(t, c.ListenAddrs(), eventType, loggingTopic))
	t.Logf("%v", r)
	r.requireExact(t)
}
