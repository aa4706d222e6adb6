package deliverytest

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestShutdownDuringOutage takes Kafka away (its only address stops
// accepting connections) after 500 events were delivered, emits 200 more,
// and shuts down with a 3s context and no spool: Shutdown returns within
// its context with an error wrapping kafkasink.ErrUndelivered that counts
// exactly the 200 events and their 200 request logs and names the refused
// connection; no error-handler call happens after it returned.
func TestShutdownDuringOutage(t *testing.T) {
	var px *proxy
	var brokerAddr string
	c := newCluster(t, kfake.ListenFn(func(network, address string) (net.Listener, error) {
		ln, err := net.Listen(network, address)
		if err != nil {
			return nil, err
		}
		brokerAddr = ln.Addr().String()
		if px, err = newProxy(ln.Addr().String(), nil); err != nil {
			ln.Close()
			return nil, err
		}
		return advertised{Listener: ln, addr: px.ln.Addr()}, nil
	}))
	p := newPipeline(t, []string{px.ln.Addr().String()})
	l := newLedger()
	p.emit(t, l, workload{name: "before", workers: 4, perWorker: 125})
	p.flush(t)

	px.close() // Kafka is away from here on
	p.emit(t, l, workload{name: "during", workers: 4, perWorker: 50})
	handledBefore := p.failures.total()

	const within = 3 * time.Second
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()
	start := time.Now()
	err := p.tp.Shutdown(ctx)
	took := time.Since(start)
	handledAtReturn := p.failures.total()
	time.Sleep(500 * time.Millisecond) // time for a late call to show
	handledLater := p.failures.total()

	events, logs := undeliveredCounts(t, err)
	back, err2 := newProxyOn(px.ln.Addr().String(), brokerAddr, nil) // Kafka is back, to count
	if err2 != nil {
		t.Fatal(err2)
	}
	defer back.close()
	recs := readAll(t, c.ListenAddrs(), eventType, loggingTopic)
	consumed := 0
	for _, r := range recs {
		if r.Topic == eventType {
			consumed++
		}
	}
	t.Logf("Kafka away: Shutdown took %v (context %v): %v; handler calls before/at return/later %d/%d/%d; events consumed %d",
		took.Round(time.Millisecond), within, err, handledBefore, handledAtReturn, handledLater, consumed)
	// Shutdown returns once its context is done: what remains is
	// scheduling on a loaded machine (without the deadline it would wait
	// for the 2-minute delivery timeout), hence the half second.
	if took > within+500*time.Millisecond {
		t.Errorf("Shutdown took %v, past its %v context", took, within)
	}
	if !errors.Is(err, kafkasink.ErrUndelivered) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want ErrUndelivered and the deadline", err)
	}
	if events != 200 || logs != 200 || consumed != 500 || handledAtReturn != 0 {
		t.Errorf("Shutdown counted %d events and %d request logs, the handler %d; consumed %d: want 200, 200, 0 and 500",
			events, logs, handledAtReturn, consumed)
	}
	if handledLater != handledAtReturn {
		t.Errorf("%d error-handler calls after Shutdown returned", handledLater-handledAtReturn)
	}
}
