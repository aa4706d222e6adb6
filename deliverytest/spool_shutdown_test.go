package deliverytest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestSpoolShutdownAfterAnOutageDeliversEverything: Kafka is away while
// half the events are emitted (longer than a delivery timeout), comes back,
// the other half is emitted, then Shutdown with a 30s context. With the
// library's defaults and a spool, Shutdown keeps delivering while the
// broker answers and returns nil only once every event and request log is
// on the broker, exactly once. Short: 2,000 events, an outage of 3s; -long:
// 20,000 and 6s.
func TestSpoolShutdownAfterAnOutageDeliversEverything(t *testing.T) {
	perWorker, outage := 63, 3*time.Second // 16 workers × 63 × 2 ≈ 2,000 events
	if *long {
		perWorker, outage = 625, 6*time.Second
	}
	addr, port := freeAddr(t)
	dir := t.TempDir()
	p := newSpoolPipeline(t, []string{addr}, dir)
	l := newLedger()
	start := time.Now()
	p.emit(t, l, workload{name: "away", workers: 16, perWorker: perWorker})
	time.Sleep(outage - time.Since(start))
	c := newCluster(t, kfake.Ports(port))
	p.emit(t, l, workload{name: "back", workers: 16, perWorker: perWorker})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	shutStart := time.Now()
	err := p.tp.Shutdown(ctx)
	t.Logf("Shutdown after an outage of %v with %d events emitted: %v after %v", outage, len(l.emitted), err, time.Since(shutStart).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("Shutdown = %v, want nil: the broker answers, everything can be delivered", err)
	}
	r := account(t, l, p, readAll(t, c.ListenAddrs(), eventType, loggingTopic))
	t.Logf("%v", r)
	r.requireExact(t)
}

// TestSpoolShutdownWithoutBrokerSaysWhatIsLeft: with no broker reachable at
// all, Shutdown does not wait out its context: it returns promptly (the
// time is printed) with an error wrapping kafkasink.ErrSpooled that counts
// the records left in the spool file and names it.
func TestSpoolShutdownWithoutBrokerSaysWhatIsLeft(t *testing.T) {
	addr, _ := freeAddr(t)
	dir := t.TempDir()
	p := newSpoolPipeline(t, []string{addr}, dir)
	l := newLedger()
	p.emit(t, l, workload{name: "away", workers: 4, perWorker: 50})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	start := time.Now()
	err := p.tp.Shutdown(ctx)
	t.Logf("Shutdown without a broker: %v after %v", err, time.Since(start).Round(time.Millisecond))
	// 200 events and 200 request logs
	if want := fmt.Sprintf(" %d records remain in ", 2*len(l.emitted)); !errors.Is(err, kafkasink.ErrSpooled) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Shutdown = %v, want ErrSpooled saying%q the spool in %s", err, want, dir)
	}
	if ctx.Err() != nil {
		t.Fatalf("Shutdown waited out its context: %v", ctx.Err())
	}
}
