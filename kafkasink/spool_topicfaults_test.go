package kafkasink_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// refuseProduce makes c answer every produce request with code for every
// partition while refusing is set.
func refuseProduce(c *kfake.Cluster, refusing *atomic.Bool, code int16) {
	testkit.RefuseProduce(c, refusing.Load, code)
}

// TestSpoolKeepsRecordsThroughATopicError: the broker refuses the topic
// for a while (an error about the topic, not the records: an ACL mistake, a
// policy, too few replicas); the spooled records stay, are produced again
// with backoff, and every one is delivered once the cause is fixed.
func TestSpoolKeepsRecordsThroughATopicError(t *testing.T) {
	for _, code := range []*kerr.Error{kerr.TopicAuthorizationFailed, kerr.PolicyViolation, kerr.NotEnoughReplicas} {
		t.Run(code.Message, func(t *testing.T) {
			t.Parallel() // each waits out a few backoffs
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			var refusing atomic.Bool
			refusing.Store(true)
			refuseProduce(c, &refusing, code.Code)
			p := newProducer(t, kafkasink.WithBrokers(c.ListenAddrs()...), kafkasink.WithLogger(nil), kafkasink.WithSpool(t.TempDir()))
			const n = 1000
			dones := produceAll(t, p, "refused.topic", n)
			time.Sleep(2 * time.Second) // the cause lasts a few retries
			for i, d := range dones {
				if d.calls.Load() > 0 && !errors.Is(d.err, kafkasink.ErrSpooled) {
					t.Fatalf("message %d: done(%v) while the topic was refused, want no result yet", i, d.err)
				}
			}
			refusing.Store(false) // fixed
			for i, d := range dones {
				if err := d.waitLong(t); err != nil && !errors.Is(err, kafkasink.ErrSpooled) {
					t.Fatalf("message %d: done(%v) after the fix, want delivered", i, err)
				}
			}
			if err := p.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			records := consume(t, c.ListenAddrs(), "refused.topic", n)
			msgs := make([]*kafkasink.Message, len(records))
			for i, r := range records {
				msgs[i] = &kafkasink.Message{Topic: r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers}
			}
			assertInOrder(t, msgs, n)
		})
	}
}

// TestSpoolHealthyTopicFlowsWhileAnotherIsMissing: without automatic topic
// creation, records for a missing topic wait in the spool on their own
// timer while a healthy topic's records are acknowledged (the delay is
// printed, not asserted); once the topic is created, they are delivered too.
func TestSpoolHealthyTopicFlowsWhileAnotherIsMissing(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "healthy"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	p := newProducer(t, kafkasink.WithBrokers(c.ListenAddrs()...), kafkasink.WithLogger(nil), kafkasink.WithSpool(t.TempDir()))
	const n = 300
	missing := produceAll(t, p, "missing", n)
	var mu sync.Mutex
	var delays []time.Duration
	healthy := make([]*doneRecorder, n)
	for i := range healthy {
		healthy[i] = newDoneRecorder()
		start := time.Now()
		d := healthy[i]
		p.Produce(t.Context(), spoolMessage("healthy", i), func(err error) {
			mu.Lock()
			delays = append(delays, time.Since(start))
			mu.Unlock()
			d.done(err)
		})
		if i%30 == 0 {
			time.Sleep(100 * time.Millisecond) // spread over the missing topic's retries
		}
	}
	for i, d := range healthy {
		if err := d.wait(t); err != nil {
			t.Fatalf("healthy message %d: done(%v), want delivered while the other topic is missing", i, err)
		}
	}
	mu.Lock()
	slices.Sort(delays)
	t.Logf("healthy topic while another is missing: p50 %v, p99 %v, max %v", delays[len(delays)/2], delays[len(delays)*99/100], delays[len(delays)-1])
	mu.Unlock()
	for i, d := range missing {
		if d.calls.Load() > 0 && !errors.Is(d.err, kafkasink.ErrSpooled) {
			t.Fatalf("missing-topic message %d: done(%v), want it kept in the spool", i, d.err)
		}
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = "missing", 2, 1
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(t.Context(), p.Client())
	if err != nil {
		t.Fatal(err)
	}
	if err := kerr.ErrorForCode(resp.Topics[0].ErrorCode); err != nil {
		t.Fatalf("creating the topic: %v", err)
	}
	for i, d := range missing {
		if err := d.waitLong(t); err != nil && !errors.Is(err, kafkasink.ErrSpooled) {
			t.Fatalf("missing-topic message %d: done(%v) once created, want delivered", i, err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(consume(t, c.ListenAddrs(), "missing", n)); got != n {
		t.Fatalf("read back %d, want %d", got, n)
	}
}
