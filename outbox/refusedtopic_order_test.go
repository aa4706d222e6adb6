package outbox_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
	"github.com/otelrelayer/otelrelayer/outbox"
	"github.com/otelrelayer/otelrelayer/outbox/outboxtest"
)

// Two events of one key on two topics (two event types of one order):
// while the first's topic is refused (an ACL not granted yet), the second
// waits with it and is published after it, as the order per key promises.
func TestAKeysEventOnAnotherTopicWaitsBehindARefusedTopic(t *testing.T) {
	const refusedType, laterType = "order_created", "order_paid"
	for _, b := range outboxtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := migrated(t, b)
			rec := otelrelayertest.New(t)
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			brokers := c.ListenAddrs()
			var refusing, overtaken atomic.Bool
			refusing.Store(true)
			c.ControlKey(int16(kmsg.Produce), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				if !refusing.Load() {
					return nil, nil, false
				}
				req := kreq.(*kmsg.ProduceRequest)
				refused := false
				for _, rt := range req.Topics {
					refused = refused || rt.Topic == refusedType
				}
				if !refused { // the later event served while the first is refused
					overtaken.Store(true)
					return nil, nil, false
				}
				resp := req.ResponseKind().(*kmsg.ProduceResponse)
				for _, rt := range req.Topics {
					tr := kmsg.NewProduceResponseTopic()
					tr.Topic, tr.TopicID = rt.Topic, rt.TopicID
					code := kerr.NotEnoughReplicas.Code // retried by franz-go
					if rt.Topic == refusedType {
						code = kerr.TopicAuthorizationFailed.Code
					}
					for _, rp := range rt.Partitions {
						p := kmsg.NewProduceResponseTopicPartition()
						p.Partition, p.ErrorCode = rp.Partition, code
						tr.Partitions = append(tr.Partitions, p)
					}
					resp.Topics = append(resp.Topics, tr)
				}
				return resp, nil, true
			})
			errs := newErrorLog()
			runRelay(t, db, b.Dialect, newSink(t, brokers, kafkasink.WithClientOptions(kgo.MaxVersions(kversion.V3_6_0()))), outbox.WithErrorHandler(errs.handle)) // topics by name in produce requests
			tx, err := db.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, span := rec.Tracer().Start(t.Context(), "POST /orders")
			for _, typ := range []string{refusedType, laterType} {
				if err := bridge.Emit(outbox.WithTx(ctx, tx), typ, "v1", order{Writer: 1, Seq: 1}, bridge.WithPartitionKey(keyOf(1))); err != nil {
					t.Fatal(err)
				}
			}
			span.End()
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-errs.seen: // the refusal, reported
			case <-time.After(10 * time.Second):
				t.Fatalf("no refusal reported; %d rows pending, overtaken %v", pendingRows(t, db), overtaken.Load())
			}
			time.Sleep(1500 * time.Millisecond) // past a retry backoff
			for _, err := range errs.all() {    // the operator learns which topic to fix
				if !strings.Contains(err.Error(), `topic "`+refusedType+`"`) {
					t.Errorf("reported: %v, want the refused topic named", err)
				}
			}
			if overtaken.Load() {
				t.Errorf("%s was published while %s, emitted before it with the same key, was refused", laterType, refusedType)
			}
			refusing.Store(false) // the ACL is granted
			for _, typ := range []string{refusedType, laterType} {
				newConsumer(t, brokers, typ).until(20*time.Second, func(r []*kgo.Record) bool { return len(r) >= 1 })
			}
			waitEmpty(t, db)
		})
	}
}
