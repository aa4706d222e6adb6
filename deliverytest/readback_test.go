package deliverytest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/testing/kafkaends"
	"github.com/otelrelayer/otelrelayer/wire"
)

// readAll reads topics from their start to their end offsets (as they are
// when it is called) with a fresh franz-go consumer and returns the records
// in offset order per partition.
func readAll(t *testing.T, brokers []string, topics ...string) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), bound)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends := endOffsets(ctx, t, cl, topics)
	unread := 0
	for _, parts := range ends {
		for _, end := range parts {
			if end > 0 {
				unread++
			}
		}
	}
	var recs []*kgo.Record
	for unread > 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("read %d records; %d partitions not read to their end: %v", len(recs), unread, err)
		}
		fs.EachError(func(topic string, partition int32, err error) { t.Logf("fetch %s/%d: %v", topic, partition, err) })
		fs.EachRecord(func(r *kgo.Record) {
			recs = append(recs, r)
			if r.Offset+1 == ends[r.Topic][r.Partition] {
				unread--
			}
		})
	}
	return recs
}

// endOffsets returns the high watermark of every partition of topics,
// retrying within ctx while the cluster settles. A topic that was never
// created has no partitions.
func endOffsets(ctx context.Context, t *testing.T, cl *kgo.Client, topics []string) map[string]map[int32]int64 {
	t.Helper()
	ends, err := kafkaends.Wait(ctx, cl, topics)
	if err != nil {
		t.Fatalf("end offsets of %v: %v", topics, err)
	}
	return ends
}

// report is the exact account of one test: what was emitted, acknowledged,
// consumed, duplicated, reported as failed and lost, for events and for
// request logs.
type report struct {
	emitted    int // Emit returned nil
	acked      int // of which WithAck: the broker acknowledged them
	refused    int // Emit returned an error
	consumed   int // distinct event IDs read back from the event topic
	duplicates int // event records read back beyond the first of their event ID
	rewritten  int // events read back under more than one event ID
	unexpected int // events read back that Emit refused or never made
	lost       int // emitted events neither read back nor reported as failed
	reordered  int // events read back before an earlier event of the same partition key
	failed     int // event delivery failures given to the error handler

	requests       int // root spans ended, each writing one request log
	logsConsumed   int // distinct request log IDs read back
	logDuplicates  int
	logsFailed     int // request log failures given to the error handler
	otherFailures  int // error handler calls of any other kind
	failureCauses  map[string]int
	recordsWithout int      // records without a relayer-event-id header
	firstCopies    []string // where the first duplicates were read, to tell a producer retry from a new write
}

func (r report) String() string {
	return fmt.Sprintf("events: emitted=%d acked=%d refused=%d consumed=%d duplicates=%d failed=%d lost=%d rewritten=%d unexpected=%d reordered=%d; "+
		"request logs: written=%d consumed=%d duplicates=%d failed=%d; other failures=%d; failure causes=%v",
		r.emitted, r.acked, r.refused, r.consumed, r.duplicates, r.failed, r.lost, r.rewritten, r.unexpected, r.reordered,
		r.requests, r.logsConsumed, r.logDuplicates, r.logsFailed, r.otherFailures, r.failureCauses)
}

// account matches what l emitted against recs, read back from the event and
// logging topics, and what p's error handler received.
func account(t *testing.T, l *ledger, p *pipeline, recs []*kgo.Record) report {
	t.Helper()
	var r report
	l.mu.Lock()
	r.emitted, r.refused, r.requests = len(l.emitted), len(l.refused), l.requests
	for _, acked := range l.emitted {
		if acked {
			r.acked++
		}
	}
	emitted := make(map[int64]bool, len(l.emitted))
	for seq := range l.emitted {
		emitted[seq] = true
	}
	l.mu.Unlock()
	r.failed, r.logsFailed, r.otherFailures, r.failureCauses = p.failures.counts()

	ids := map[string]*kgo.Record{}
	seqIDs := map[int64]map[string]bool{}
	lastSeq := map[string]int64{} // partition key → last sequence number read
	for _, rec := range recs {
		id := header(rec, wire.EventIDHeader)
		if id == "" {
			r.recordsWithout++
			continue
		}
		if first := ids[id]; first != nil {
			if len(r.firstCopies) < 3 {
				r.firstCopies = append(r.firstCopies, fmt.Sprintf("%s/%d@%d (producer %d epoch %d) again @%d (producer %d epoch %d)",
					rec.Topic, rec.Partition, first.Offset, first.ProducerID, first.ProducerEpoch, rec.Offset, rec.ProducerID, rec.ProducerEpoch))
			}
			if rec.Topic == eventType {
				r.duplicates++
			} else {
				r.logDuplicates++
			}
			continue
		}
		ids[id] = rec
		if rec.Topic != eventType {
			r.logsConsumed++
			continue
		}
		r.consumed++
		var ev wire.Event
		var pl payload
		if err := json.Unmarshal(rec.Value, &ev); err != nil {
			t.Fatalf("event %s: %v", rec.Value, err)
		}
		if err := json.Unmarshal(ev.Payload, &pl); err != nil {
			t.Fatalf("event payload %s: %v", ev.Payload, err)
		}
		if seqIDs[pl.Seq] == nil {
			seqIDs[pl.Seq] = map[string]bool{}
		} else {
			r.rewritten++
		}
		seqIDs[pl.Seq][id] = true
		if !emitted[pl.Seq] {
			r.unexpected++
		}
		if pl.Seq < lastSeq[string(rec.Key)] {
			r.reordered++
		}
		lastSeq[string(rec.Key)] = pl.Seq
	}
	for seq := range emitted {
		if seqIDs[seq] == nil {
			r.lost++
		}
	}
	// Failures reported without WithAck carry no event ID: the lost events
	// they account for cannot be told apart, only counted.
	r.lost -= min(r.lost, r.failed)
	return r
}

// requireExact fails t unless every emitted event and every request log was
// read back exactly once, in order per partition key, and nothing failed.
func (r report) requireExact(t *testing.T) {
	t.Helper()
	if r.consumed != r.emitted || r.duplicates != 0 || r.lost != 0 || r.failed != 0 || r.refused != 0 ||
		r.rewritten != 0 || r.unexpected != 0 || r.reordered != 0 ||
		r.logsConsumed != r.requests || r.logDuplicates != 0 || r.logsFailed != 0 || r.otherFailures != 0 || r.recordsWithout != 0 {
		t.Errorf("not exactly once: %v; duplicates %v", r, r.firstCopies)
	}
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
