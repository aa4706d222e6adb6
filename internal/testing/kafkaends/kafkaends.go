// Package kafkaends lists the end offsets of topics, so that the tests'
// readers (otelrelayertest's cluster dump, deliverytest's read-back) read
// every partition to its end instead of guessing by idle polls.
package kafkaends

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Ends holds the end offset (high watermark) of partitions, by topic and
// partition.
type Ends map[string]map[int32]int64

// Wait returns the end offset of every partition of topics, retrying every
// 100ms within ctx while the cluster settles. A topic that was never
// created has no partitions. No topics: every topic but the internal ones
// (named _…). At the end of ctx it returns the last error.
func Wait(ctx context.Context, cl *kgo.Client, topics []string) (Ends, error) {
	for {
		ends, err := List(ctx, cl, topics)
		if err == nil {
			return ends, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("end offsets: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// List is Wait without retries.
func List(ctx context.Context, cl *kgo.Client, topics []string) (Ends, error) {
	meta := kmsg.NewPtrMetadataRequest()
	for _, topic := range topics {
		mt := kmsg.NewMetadataRequestTopic()
		mt.Topic = kmsg.StringPtr(topic)
		meta.Topics = append(meta.Topics, mt)
	}
	mresp, err := meta.RequestWith(ctx, cl)
	if err != nil {
		return nil, err
	}
	list := kmsg.NewPtrListOffsetsRequest()
	list.ReplicaID = -1
	for _, mt := range mresp.Topics {
		if mt.Topic == nil || len(topics) == 0 && strings.HasPrefix(*mt.Topic, "_") {
			continue
		}
		if mt.ErrorCode == kerr.UnknownTopicOrPartition.Code {
			continue // never written to
		}
		if err := kerr.ErrorForCode(mt.ErrorCode); err != nil {
			return nil, fmt.Errorf("metadata of %s: %w", *mt.Topic, err)
		}
		lt := kmsg.NewListOffsetsRequestTopic()
		lt.Topic = *mt.Topic
		for _, mp := range mt.Partitions {
			lp := kmsg.NewListOffsetsRequestTopicPartition()
			lp.Partition = mp.Partition
			lp.Timestamp = -1 // the high watermark
			lt.Partitions = append(lt.Partitions, lp)
		}
		list.Topics = append(list.Topics, lt)
	}
	ends := Ends{}
	if len(list.Topics) == 0 {
		return ends, nil
	}
	lresp, err := list.RequestWith(ctx, cl)
	if err != nil {
		return nil, err
	}
	for _, lt := range lresp.Topics {
		ends[lt.Topic] = map[int32]int64{}
		for _, lp := range lt.Partitions {
			if err := kerr.ErrorForCode(lp.ErrorCode); err != nil {
				return nil, fmt.Errorf("end offset of %s/%d: %w", lt.Topic, lp.Partition, err)
			}
			ends[lt.Topic][lp.Partition] = lp.Offset
		}
	}
	return ends, nil
}
