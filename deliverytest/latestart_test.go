package deliverytest

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// freeAddr returns a loopback address where nothing listens.
func freeAddr(t *testing.T) (addr string, port int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	_, p, _ := net.SplitHostPort(addr)
	port, err = strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return addr, port
}

// TestKafkaStartsLate builds the pipeline before any broker listens: Emit
// returns nil at once, and once a broker starts on the address about a
// second later, within the 10s delivery timeout, every event is delivered
// exactly once.
func TestKafkaStartsLate(t *testing.T) {
	addr, port := freeAddr(t)
	p := newPipeline(t, []string{addr}, kafkasink.WithDeliveryTimeout(10*time.Second))
	l := newLedger()
	p.emit(t, l, workload{name: "w", workers: 4, perWorker: 100})
	if n := len(l.refused); n != 0 {
		t.Fatalf("Emit refused %d events while Kafka was absent: %v", n, l.refused)
	}

	time.Sleep(time.Second)
	c := newCluster(t, kfake.Ports(port))
	p.flush(t)

	r := account(t, l, p, readAll(t, c.ListenAddrs(), eventType, loggingTopic))
	t.Logf("broker started on %s after every Emit returned; %v", addr, r)
	r.requireExact(t)
}

// TestKafkaNeverThere emits with no broker ever listening and a 2s delivery
// timeout: Emit returns nil, every event and request log is reported to the
// error handler once, as timed out, and TracerProvider.Shutdown returns
// within its context.
func TestKafkaNeverThere(t *testing.T) {
	addr, _ := freeAddr(t)
	p := newPipeline(t, []string{addr}, kafkasink.WithDeliveryTimeout(2*time.Second))
	l := newLedger()
	p.emit(t, l, workload{name: "w", workers: 4, perWorker: 50})

	ctx, cancel := context.WithTimeout(t.Context(), bound)
	defer cancel()
	err := p.tp.Shutdown(ctx)
	if ctx.Err() != nil {
		t.Fatalf("Shutdown returned after its context ended: %v", err)
	}
	events, logs, other, causes := p.failures.counts()
	t.Logf("no broker at %s: emitted=%d refused=%d; error handler: events failed=%d, request logs failed=%d (of %d), other=%d, causes %v; Shutdown: %v",
		addr, len(l.emitted), len(l.refused), events, logs, l.requests, other, causes, err)
	if len(l.refused) != 0 {
		t.Errorf("Emit refused %d events: %v", len(l.refused), l.refused)
	}
	if events != len(l.emitted) || logs != l.requests || other != 0 {
		t.Errorf("error handler saw %d event and %d request log failures (and %d others), want %d and %d",
			events, logs, other, len(l.emitted), l.requests)
	}
	if n := p.failures.timedOut(); n != events+logs {
		t.Errorf("%d of %d failures are kgo.ErrRecordTimeout: %v", n, events+logs, causes)
	}
	if err != nil && !errors.Is(err, kgo.ErrRecordTimeout) {
		t.Errorf("Shutdown: %v", err)
	}
}
