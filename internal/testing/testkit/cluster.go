package testkit

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// HostileCluster starts an embedded broker as otelrelayertest.Cluster does
// (one broker, automatic topic creation, opts after), closed when t ends,
// but leaves it out of the message dump (otelrelayertest.DumpEnv): its
// records are built by hand to attack the tools (decompression bombs,
// forged offsets, oversize records), not written by the library, so the
// JSON Schema check of the dump has nothing to say about them, and reading
// them back is exactly what the tests under it prove hard.
func HostileCluster(t testing.TB, opts ...kfake.Opt) []string {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation()}, opts...)...)
	if err != nil {
		t.Fatalf("testkit: starting kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}
