package tail_test

import (
	"context"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/internal/testing/hostile"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
)

// peakHeap samples the live heap every millisecond until stop is called,
// which returns the highest figure seen.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var (
		peak uint64
		wg   sync.WaitGroup
	)
	done := make(chan struct{})
	wg.Go(func() {
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// Many batches, each just under MaxBatchBytes, fit in one fetch: 40 zstd
// batches of about 1 KB that inflate to 15 MiB each are 40 KB as sent.
// Reading them must not hold them all inflated at once: the live heap
// (the inflated batches, their copies, the garbage not yet collected) stays
// within a few batches, not 40.
func TestFetchOfManyBatchesUnderTheBoundStaysBounded(t *testing.T) {
	const batches, inflated = 40, 15 << 20
	brokers := testkit.HostileCluster(t, kfake.SeedTopics(1, "logging"))
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	bomb, err := hostile.ZstdBomb(inflated)
	if err != nil {
		t.Fatal(err)
	}
	for range batches {
		if err := hostile.ProduceBatch(t.Context(), cl, "logging", 0, bomb); err != nil {
			t.Fatal(err)
		}
	}
	produce(t, brokers, "logging", nil, requestLog(1))

	stop := peakHeap()
	tl := open(t, tail.Config{Brokers: brokers, Topics: []string{"logging"}})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	for {
		m, err := tl.Next(ctx)
		if err != nil {
			t.Fatalf("the request log after the batches never came: %v", err)
		}
		if m.Kind == tail.KindRequestLog {
			break
		}
	}
	peak := stop()
	t.Logf("peak live heap: %d MiB for %d batches of %d MiB (%d KB as sent each)", peak>>20, batches, inflated>>20, len(bomb)>>10)
	if peak > 16*tail.MaxBatchBytes {
		t.Errorf("peak live heap %d MiB: the batches of one fetch were held inflated at once (want at most %d MiB)", peak>>20, 16*tail.MaxBatchBytes>>20)
	}
}
