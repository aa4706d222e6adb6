package main

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// fsyncs_per_commit stays measurable: the spool's store still marks its
// commits with the trace region, and every commit that makes records
// durable is seen making at least one fsync.
func TestCountFsyncsSeesTheStoresCommits(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	commits, fsyncs, err := countFsyncs(t.Context(), cluster.ListenAddrs(), 200, 8, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if commits == 0 || fsyncs < commits {
		t.Fatalf("%d commits, %d fsyncs: want at least one fsync a commit", commits, fsyncs)
	}
	t.Logf("%d commits, %d fsyncs", commits, fsyncs)
}
