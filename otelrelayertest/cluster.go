package otelrelayertest

import (
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Cluster starts an embedded Kafka broker (franz-go's kfake, speaking the real
// wire protocol on loopback) with automatic topic creation, closes it when t
// ends, and returns its seed addresses. opts are applied after the defaults
// (one broker, auto topic creation), e.g. kfake.NumBrokers(3) or
// kfake.SeedTopics; nil options are ignored. With the message dump on
// ([DumpEnv]), the cluster's messages are dumped when t ends.
func Cluster(t testing.TB, opts ...kfake.Opt) []string {
	t.Helper()
	opts = slices.DeleteFunc(slices.Clone(opts), func(o kfake.Opt) bool { return o == nil })
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation()}, opts...)...)
	if err != nil {
		t.Fatalf("otelrelayertest: starting kfake: %v", err)
	}
	t.Cleanup(c.Close)
	addrs := c.ListenAddrs()
	t.Cleanup(func() { dumpCluster(t, addrs) }) // before Close: cleanups run last first
	return addrs
}
