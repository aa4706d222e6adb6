package tail_test

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/internal/testing/hostile"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
)

// forgedOffsetBatch is an uncompressed batch of one record whose offset
// delta is delta: the batch claims one offset, its record names another.
func forgedOffsetBatch(delta int64, value []byte) []byte {
	body := []byte{0}                       // attributes
	body = binary.AppendVarint(body, 0)     // timestamp delta
	body = binary.AppendVarint(body, delta) // offset delta
	body = binary.AppendVarint(body, -1)    // no key
	body = binary.AppendVarint(body, int64(len(value)))
	body = append(body, value...)
	body = binary.AppendVarint(body, 0) // no headers
	rec := append(binary.AppendVarint(nil, int64(len(body))), body...)
	now := time.Now().UnixMilli()
	b := kmsg.RecordBatch{PartitionLeaderEpoch: -1, Magic: 2, FirstTimestamp: now, MaxTimestamp: now,
		ProducerID: -1, ProducerEpoch: -1, FirstSequence: -1, NumRecords: 1, Records: rec}
	raw := b.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[8:12], uint32(len(raw)-12))
	binary.BigEndian.PutUint32(raw[17:21], crc32.Checksum(raw[21:], crc32.MakeTable(crc32.Castagnoli)))
	return raw
}

// A record's offset is its batch's base offset plus a delta the producer
// wrote; the dev broker stores batches as written. A batch whose record
// claims an offset 1,000 past the batch must not make the reader skip the
// request logs written after it.
func TestForgedOffsetDoesNotSkipLaterRecords(t *testing.T) {
	brokers := testkit.HostileCluster(t, kfake.SeedTopics(1, "logging"))
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := hostile.ProduceBatch(t.Context(), cl, "logging", 0, forgedOffsetBatch(1000, []byte(`"forged"`))); err != nil {
		t.Fatal(err)
	}
	produce(t, brokers, "logging", nil, requestLog(1), requestLog(2), requestLog(3))

	tl := open(t, tail.Config{Brokers: brokers, Topics: []string{"logging"}})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	got := 0
	for got < 3 {
		m, err := tl.Next(ctx)
		if err != nil {
			t.Fatalf("read %d of the 3 request logs after the forged batch: %v", got, err)
		}
		t.Logf("%s[%d]@%d %v", m.Topic, m.Partition, m.Offset, m.Kind)
		switch m.Kind {
		case tail.KindRequestLog:
			got++
		case tail.KindOther:
			t.Fatalf("the forged record was returned: %s[%d]@%d", m.Topic, m.Partition, m.Offset)
		}
	}
}
