package kafkasink_test

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestSpoolBackoffKeepsRecordsOnDisk: a topic refused for a long time
// (an ACL mistake) with a large backlog. Its records wait on disk; memory
// holds the in-memory buffer, a tenth of it of committed records, the
// spool's index (16 bytes a record) and, per record waiting for its
// topic's retry, its sequence number, never the record's whole state.
func TestSpoolBackoffKeepsRecordsOnDisk(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	var refusing atomic.Bool
	refusing.Store(true)
	refuseProduce(c, &refusing, kerr.TopicAuthorizationFailed.Code)
	const n, records, buffered = 100_000, 1000, 256 << 10
	p, err := kafkasink.New(kafkasink.WithBrokers(c.ListenAddrs()...), kafkasink.WithLogger(nil), kafkasink.WithSpool(t.TempDir()),
		kafkasink.WithSpoolCommitInterval(5*time.Millisecond), kafkasink.WithMaxBufferedBytes(buffered), kafkasink.WithMaxBufferedRecords(records))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(canceledContext(t)) // the records stay in the spool
	heap := func() int64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	before := heap()
	m := kafkasink.Message{Topic: "refused.backlog", Value: []byte("v")}
	for range n {
		p.Produce(t.Context(), m, nil)
	}
	if err := p.Flush(canceledContext(t)); err == nil {
		t.Fatal("Flush = nil while the topic is refused")
	}
	time.Sleep(3 * time.Second) // the pump takes the backlog, the topic backs off
	grown := heap() - before
	bound := int64(buffered + 512*records + (16+96)*n + 4<<20) // the in-memory buffer; the index and a retry item a record; slack for the client
	t.Logf("heap grew by %d bytes for %d records (%d a record)", grown, n, grown/n)
	if grown > bound {
		t.Errorf("heap grew by %d bytes (%d a record) with %d records of a refused topic spooled, want at most %d", grown, grown/n, n, bound)
	}
}
