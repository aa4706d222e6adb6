package otelrelayertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// On a loaded machine, where every fetch takes longer than a poll would
// wait, the cluster dump still reads every message.
func TestReadClusterSlowFetches(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := c.ListenAddrs()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for i := range 20 {
		topic := []string{"logging", "order_created"}[i%2]
		v := fmt.Sprint(i)
		want[topic+"/"+v] = true
		if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: topic, Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cl.Close()

	// From here on, every fetch takes 700ms, as on a machine busy elsewhere.
	c.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		c.SleepControl(func() { time.Sleep(700 * time.Millisecond) })
		return nil, nil, false
	})
	got := map[string]bool{}
	err = readCluster(brokers, func(r *kgo.Record) error {
		got[r.Topic+"/"+string(r.Value)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("read %d of the %d messages: %v", len(got), len(want), got)
	}
}

// A transaction's commit marker takes the last offset of its partitions
// and is never a record the consumer returns: the dump still ends at once
// with every message, instead of waiting for that offset until its bound.
func TestReadClusterTransactionalWrites(t *testing.T) {
	brokers := Cluster(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation(), kgo.TransactionalID("t"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: "orders", Value: []byte("1")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if err := cl.EndTransaction(t.Context(), kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	var got []string
	start := time.Now()
	err = readCluster(brokers, func(r *kgo.Record) error {
		got = append(got, r.Topic+"/"+string(r.Value))
		return nil
	})
	if err != nil {
		t.Fatalf("after %v: %v", time.Since(start).Round(time.Second), err)
	}
	if len(got) != 1 || got[0] != "orders/1" {
		t.Errorf("read %v, want [orders/1]", got)
	}
}
