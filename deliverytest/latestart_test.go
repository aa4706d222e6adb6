package deliverytest

import (
	"context"
	"errors"
	"net"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

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
// timeout: Emit returns nil, and every event and request log is accounted
// for once: either reported to the error handler as timed out (those that
// failed before Shutdown began) or counted in Shutdown's error, which wraps
// kafkasink.ErrUndelivered and names the refused connection.
// TracerProvider.Shutdown returns within its context.
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
	shutEvents, shutLogs := undeliveredCounts(t, err)
	t.Logf("no broker at %s: emitted=%d refused=%d; error handler: events failed=%d, request logs failed=%d (of %d), other=%d, causes %v; Shutdown: %v",
		addr, len(l.emitted), len(l.refused), events, logs, l.requests, other, causes, err)
	if len(l.refused) != 0 {
		t.Errorf("Emit refused %d events: %v", len(l.refused), l.refused)
	}
	if events+shutEvents != len(l.emitted) || logs+shutLogs != l.requests || other != 0 {
		t.Errorf("error handler saw %d event and %d request log failures (and %d others), Shutdown %d and %d; want %d and %d in all",
			events, logs, other, shutEvents, shutLogs, len(l.emitted), l.requests)
	}
	if n := p.failures.timedOut(); n != events+logs {
		t.Errorf("%d of %d failures are kgo.ErrRecordTimeout: %v", n, events+logs, causes)
	}
	if shutEvents+shutLogs > 0 && (!errors.Is(err, kafkasink.ErrUndelivered) || !errors.Is(err, syscall.ECONNREFUSED)) {
		t.Errorf("Shutdown = %v, want ErrUndelivered naming the refused connection", err)
	}
}

// undeliveredCounts reads the counts of events and request logs in
// Shutdown's error; 0 and 0 for nil.
func undeliveredCounts(t *testing.T, err error) (events, logs int) {
	t.Helper()
	if err == nil {
		return 0, 0
	}
	m := regexp.MustCompile(`(\d+) events.* and (\d+) request logs not delivered`).FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("Shutdown's error does not count what was not delivered: %v", err)
	}
	events, _ = strconv.Atoi(m[1])
	logs, _ = strconv.Atoi(m[2])
	return events, logs
}
