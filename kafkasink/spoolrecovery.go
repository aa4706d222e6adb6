package kafkasink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/otelrelayer/otelrelayer/internal/selflog"
)

// Records left in the spool by an earlier process may be on the broker
// already: produced and acknowledged, but the process died before the
// commit that deleted them. Before producing them, recovery reads the tail
// of every partition of their topics and releases those whose event ID
// (the relayer-event-id header) is there.
//
// The tail starts at the spool's oldest timestamp: every record is produced
// with the time the pump hands it to franz-go as its Kafka timestamp
// (CreateTime), never earlier than its spool time, so ListOffsets by the
// oldest spool time finds, in each partition, an offset before any copy of
// ours that can be there.
// The scan is bounded by the time the records waited (an outage's worth of
// the topics' traffic at most), and ends at the high watermark taken
// before it starts: this process has produced nothing of them yet.
//
// A duplicate remains possible when the record's copy on the broker is not
// found there: the topic uses LogAppendTime and the broker's clock is behind
// ours, the topic was deleted and re-created, retention removed the tail
// before the restart, the record carries no event ID, or the producer may
// not read the topic (no Read or Describe ACL: recovery then gives up and
// says so). The recovery's log line counts what it checked and released,
// and Producer.SpoolRecovery the records it released and those it could not
// check.

// recoveryScan is one topic's spooled records from an earlier process.
type recoveryScan struct {
	oldest time.Time
	ids    map[string]spooledID // event ID → its record
}

type spooledID struct {
	seq  uint64
	disk int64
}

// spoolRecoveryTimeout bounds one recovery attempt; a failed attempt (no
// broker yet) is tried again after a backoff while the pump waits.
const spoolRecoveryTimeout = time.Minute

// recoverEarlier runs recovery over [from, to) until it succeeds or the
// pump stops, and returns the records found on the broker.
func (s *spool) recoverEarlier(from, to uint64) map[uint64]int64 {
	// checked counts records, not event IDs: two records may share one
	// (a message given twice), and each is a record recovered.
	scans, checked, noID := s.scanSpooled(from, to)
	s.recovery.recovered.Add(int64(checked + noID))
	s.recovery.unchecked.Add(int64(noID))
	if len(scans) == 0 {
		return nil
	}
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(s.pumpCtx, spoolRecoveryTimeout)
		start := time.Now()
		found, read, err := s.findOnBroker(ctx, scans)
		cancel()
		if err == nil {
			s.recovery.released.Add(int64(len(found)))
			if s.logger != nil {
				s.logger.Log(selflog.Context(), slog.LevelInfo, "kafkasink: spool recovery checked the records of an earlier process against the partitions' tails",
					"path", s.store.path, "checked", checked, "already_on_broker", len(found), "without_event_id", noID, "records_read", read, "took", time.Since(start).Round(time.Millisecond))
			}
			return found
		}
		if s.pumpCtx.Err() != nil {
			return nil
		}
		var ke *kerr.Error
		if errors.As(err, &ke) && !ke.Retriable { // the broker answers, and refuses: a producer without Read or Describe rights
			s.recovery.unchecked.Add(int64(checked))
			if s.logger != nil {
				s.logger.Log(selflog.Context(), slog.LevelWarn, "kafkasink: spool recovery cannot read the partitions' tails; the records of the earlier process are produced again and may duplicate some already on the broker", "error", err, "records", to-from)
			}
			return nil
		}
		if s.logger != nil {
			s.logger.Log(selflog.Context(), slog.LevelWarn, "kafkasink: spool recovery could not read the partitions' tails; trying again", "error", err, "attempt", attempt)
		}
		t := time.NewTimer(spoolBackoff(attempt))
		select {
		case <-t.C:
		case <-s.pumpCtx.Done():
			t.Stop()
			return nil
		}
	}
}

// scanSpooled reads the event IDs and the oldest time per topic of the
// records in [from, to), and counts the records with an event ID and those
// without.
func (s *spool) scanSpooled(from, to uint64) (scans map[string]*recoveryScan, withID, noID int) {
	scans = map[string]*recoveryScan{}
	for from < to {
		es, next, err := s.store.read(from, to, 4096, 4<<20)
		if err != nil && s.logger != nil {
			s.logger.Log(selflog.Context(), slog.LevelError, "kafkasink: spooled record unreadable, skipped", "error", err)
		}
		for _, e := range es {
			id := eventID(&e.rec)
			if id == "" {
				noID++
				continue
			}
			sc := scans[e.rec.Topic]
			if sc == nil {
				sc = &recoveryScan{oldest: e.rec.Timestamp, ids: map[string]spooledID{}}
				scans[e.rec.Topic] = sc
			}
			if e.rec.Timestamp.Before(sc.oldest) {
				sc.oldest = e.rec.Timestamp
			}
			sc.ids[id] = spooledID{e.seq, e.disk}
			withID++
		}
		if next <= from {
			break
		}
		from = next
	}
	return scans, withID, noID
}

// findOnBroker reads every partition of the scanned topics from the offset
// of their oldest time to the high watermark and returns the sequence
// numbers of the spooled records found there, and how many records it read.
func (s *spool) findOnBroker(ctx context.Context, scans map[string]*recoveryScan) (map[uint64]int64, int, error) {
	oldest := map[string]int64{}
	for topic, sc := range scans {
		oldest[topic] = sc.oldest.UnixMilli()
	}
	starts, err := s.listOffsets(ctx, oldest)
	if err != nil {
		return nil, 0, err
	}
	latest := map[string]int64{}
	for topic := range starts {
		latest[topic] = -1
	}
	ends, err := s.listOffsets(ctx, latest)
	if err != nil {
		return nil, 0, err
	}
	consume := map[string]map[int32]kgo.Offset{}
	left := 0
	for topic, parts := range starts {
		for p, start := range parts {
			end := ends[topic][p]
			if start < 0 || start >= end {
				continue
			}
			if consume[topic] == nil {
				consume[topic] = map[int32]kgo.Offset{}
			}
			consume[topic][p] = kgo.NewOffset().At(start)
			left++
		}
	}
	found := map[uint64]int64{} // sequence number → bytes in the spool
	if left == 0 {
		return found, 0, nil
	}
	cl, err := kgo.NewClient(append(append([]kgo.Opt(nil), s.consumerOpts...),
		kgo.ConsumePartitions(consume), kgo.FetchMaxWait(100*time.Millisecond),
		// A topic written in transactions ends in a commit or abort
		// marker: a control record, which franz-go otherwise drops, and
		// the partition's last offset would never be seen.
		kgo.KeepControlRecords())...)
	if err != nil {
		return nil, 0, err
	}
	defer cl.Close()
	var read int
	for left > 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, read, fmt.Errorf("reading the partitions' tails: %d partitions not read to their end: %w", left, err)
		}
		// A refusal (no Read right on the topic: a producer's usual ACLs)
		// never ends by waiting: recovery gives up on it, as documented,
		// rather than time out and try again forever.
		for _, fe := range fs.Errors() {
			var ke *kerr.Error
			if errors.As(fe.Err, &ke) && !ke.Retriable {
				return nil, read, fmt.Errorf("reading %s/%d: %w", fe.Topic, fe.Partition, fe.Err)
			}
		}
		fs.EachRecord(func(r *kgo.Record) {
			end := ends[r.Topic][r.Partition]
			if r.Offset >= end {
				return
			}
			if !r.Attrs.IsControl() {
				read++
				if id, ok := scans[r.Topic].ids[eventID(r)]; ok {
					found[id.seq] = id.disk
				}
			}
			if r.Offset+1 == end {
				left--
			}
		})
	}
	return found, read, nil
}

// listOffsets returns, per partition of each topic, the offset ListOffsets
// gives for the topic's timestamp (-1: the high watermark); -1 when no
// record is that recent. A topic that does not exist has no partitions.
func (s *spool) listOffsets(ctx context.Context, ts map[string]int64) (map[string]map[int32]int64, error) {
	meta := kmsg.NewPtrMetadataRequest()
	for topic := range ts {
		t := kmsg.NewMetadataRequestTopic()
		t.Topic = kmsg.StringPtr(topic)
		meta.Topics = append(meta.Topics, t)
	}
	mresp, err := meta.RequestWith(ctx, s.client)
	if err != nil {
		return nil, err
	}
	req := kmsg.NewPtrListOffsetsRequest()
	for _, mt := range mresp.Topics {
		if mt.Topic == nil || mt.ErrorCode == kerr.UnknownTopicOrPartition.Code {
			continue
		}
		if err := kerr.ErrorForCode(mt.ErrorCode); err != nil {
			return nil, fmt.Errorf("metadata of %s: %w", *mt.Topic, err)
		}
		rt := kmsg.NewListOffsetsRequestTopic()
		rt.Topic = *mt.Topic
		for _, mp := range mt.Partitions {
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition, rp.Timestamp, rp.CurrentLeaderEpoch = mp.Partition, ts[*mt.Topic], -1
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
	}
	out := map[string]map[int32]int64{}
	if len(req.Topics) == 0 {
		return out, nil
	}
	resp, err := req.RequestWith(ctx, s.client)
	if err != nil {
		return nil, err
	}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				return nil, fmt.Errorf("offsets of %s/%d: %w", rt.Topic, rp.Partition, err)
			}
			if out[rt.Topic] == nil {
				out[rt.Topic] = map[int32]int64{}
			}
			out[rt.Topic][rp.Partition] = rp.Offset
		}
	}
	return out, nil
}

// releaseFound deletes the records recovery found on the broker, as if
// acknowledged, and has the pump skip them.
func (s *spool) releaseFound(found map[uint64]int64) {
	if len(found) == 0 {
		return
	}
	f := &s.feed
	f.mu.Lock()
	f.skip = make(map[uint64]bool, len(found))
	for seq := range found {
		f.skip[seq] = true
	}
	f.mu.Unlock()
	s.wmu.Lock()
	for seq, disk := range found {
		s.deletes = append(s.deletes, seq)
		s.space.release(disk)
	}
	s.wmu.Unlock()
	wake(s.ackWake)
}
