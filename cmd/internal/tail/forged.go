package tail

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// A record's offset is its batch's base offset plus a delta its producer
// wrote. Kafka rewrites the deltas; a broker that stores batches as
// written (franz-go's kfake, relayer-dev's broker) keeps a forged one, and
// franz-go moves a partition's reading to the record's offset plus one:
// a record claiming an offset far ahead skips everything written after
// it, and one past the partition's end sends reading out of range, back
// to the start and to the forged record again, forever. A record at or
// past the partition's high watermark cannot be: the Tail drops it and
// moves reading one offset past where it was, and says so once for a run
// of such offsets.

// partition names a partition.
type partition struct {
	topic string
	num   int32
}

// takeRecords queues the records of p, up to the first that claims an
// offset at or past the partition's high watermark, which it skips.
func (t *Tail) takeRecords(ctx context.Context, p kgo.FetchTopicPartition) {
	key := partition{p.Topic, p.Partition}
	if t.next == nil {
		t.next, t.skippedTo = make(map[partition]int64), make(map[partition]int64)
	}
	for _, r := range p.Records {
		if p.HighWatermark >= 0 && r.Offset >= p.HighWatermark {
			t.skipForged(ctx, key, r.Offset, p.HighWatermark)
			return // the rest of p is read again from the new offset
		}
		t.next[key] = r.Offset + 1
		if n := recordBytes(r); n > MaxRecordBytes {
			t.queue = append(t.queue, Message{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Timestamp: time.Now(),
				Kind: KindSkipped, SkippedTo: r.Offset,
				NotOurs: fmt.Sprintf("a record of %d MiB, larger than the %d MiB the tools read", n>>20, MaxRecordBytes>>20)})
			continue
		}
		t.queue = append(t.queue, fromRecord(r))
	}
}

// MaxRecordBytes bounds the key, value and headers of a record the Tail
// returns; a larger one is skipped and returned as a [KindSkipped]
// message, without copying or decoding it. A batch is decompressed to at
// most MaxBatchBytes, but an uncompressed batch is fetched whole however
// large its topic lets it be (a client may create a topic with a larger
// max.message.bytes on the dev broker).
const MaxRecordBytes = MaxBatchBytes

func recordBytes(r *kgo.Record) int {
	n := len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}

// skipForged moves the reading of key one offset past where it was, and
// queues a KindSkipped message unless it continues the run of the last.
func (t *Tail) skipForged(ctx context.Context, key partition, claimed, end int64) {
	at, ok := t.next[key]
	if !ok {
		at, ok = t.startOffset(ctx, key)
	}
	if !ok || at >= end {
		at = end - 1 // where reading is cannot be known: skip to the end
	}
	t.cl.SetOffsets(map[string]map[int32]kgo.EpochOffset{key.topic: {key.num: {Epoch: -1, Offset: at + 1}}})
	t.next[key] = at + 1
	if last, ok := t.skippedTo[key]; ok && last == at-1 {
		t.skippedTo[key] = at
		return
	}
	t.skippedTo[key] = at
	t.queue = append(t.queue, Message{
		Topic:     key.topic,
		Partition: key.num,
		Offset:    at,
		Timestamp: time.Now(),
		Kind:      KindSkipped,
		SkippedTo: at,
		NotOurs:   fmt.Sprintf("a record that claims offset %d, past the partition's end (%d): a forged offset", claimed, end),
	})
}

// startOffset asks where reading key started: the partition's start, or
// the first offset at or after Config.Since.
func (t *Tail) startOffset(ctx context.Context, key partition) (int64, bool) {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.Timeout)
	defer cancel()
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = key.topic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition = key.num
	rp.CurrentLeaderEpoch = -1
	rp.Timestamp = -2 // the start
	if !t.cfg.Since.IsZero() {
		rp.Timestamp = t.cfg.Since.UnixMilli()
	}
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, t.cl)
	if err != nil || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		return 0, false
	}
	p := resp.Topics[0].Partitions[0]
	if kerr.ErrorForCode(p.ErrorCode) != nil || p.Offset < 0 {
		return 0, false
	}
	return p.Offset, true
}
