package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// PrintTopics consumes topics from the start until they stay quiet, and
// prints every record with its key, headers and indented JSON value.
func PrintTopics(ctx context.Context, brokers []string, topics ...string) error {
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(brokers...),
		kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.AllowAutoTopicCreation(),
	)
	if err != nil {
		return err
	}
	defer cl.Close()
	byTopic := map[string][]*kgo.Record{}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		pollCtx, cancel := context.WithTimeout(ctx, time.Second)
		fs := cl.PollFetches(pollCtx)
		cancel()
		n := 0
		fs.EachRecord(func(r *kgo.Record) {
			byTopic[r.Topic] = append(byTopic[r.Topic], r)
			n++
		})
		if n == 0 && len(byTopic) == len(topics) {
			break // every topic read and nothing new for a second
		}
	}
	for _, topic := range topics {
		recs := byTopic[topic]
		sort.SliceStable(recs, func(i, j int) bool { return recs[i].Timestamp.Before(recs[j].Timestamp) })
		fmt.Printf("=== topic %s: %d messages\n", topic, len(recs))
		for _, r := range recs {
			fmt.Printf("--- partition %d offset %d key %q\n", r.Partition, r.Offset, r.Key)
			for _, h := range r.Headers {
				fmt.Printf("    %s: %s\n", h.Key, h.Value)
			}
			var pretty bytes.Buffer
			if json.Indent(&pretty, r.Value, "", "  ") != nil {
				pretty.Write(r.Value)
			}
			fmt.Println(pretty.String())
		}
		if len(recs) == 0 {
			return fmt.Errorf("nothing was read from %s", topic)
		}
	}
	return nil
}
