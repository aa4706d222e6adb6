package deliverytest

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestConnectionsCut puts a TCP proxy between every client and the broker
// and breaks connections while 2,000 events are emitted, then finds each
// event exactly once, in order per partition key.
func TestConnectionsCut(t *testing.T) {
	const total, faults = 2000, 5
	for _, tc := range []struct {
		name string
		// withhold answers, for each response the proxy is about to
		// forward, whether to drop the connection instead.
		withhold func(key int16) bool
		// cutAll drops every connection at each fifth of the Emit
		// calls, the last once every Emit returned and records are
		// still in flight.
		cutAll bool
	}{
		{name: "all connections dropped five times", cutAll: true},
		// The broker has appended the batch; the producer never learns
		// it and must retry under the same sequence numbers.
		{name: "connection dropped in place of a produce response", withhold: everyNthProduceResponse(4, faults)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var px *proxy
			// The broker advertises the proxy's address, so that clients
			// keep going through the proxy after their first metadata
			// response.
			c := newCluster(t, kfake.ListenFn(func(network, address string) (net.Listener, error) {
				ln, err := net.Listen(network, address)
				if err != nil {
					return nil, err
				}
				if px, err = newProxy(ln.Addr().String(), tc.withhold); err != nil {
					ln.Close()
					return nil, err
				}
				return advertised{Listener: ln, addr: px.ln.Addr()}, nil
			}))
			t.Cleanup(px.close)
			p := newPipeline(t, c.ListenAddrs())
			l := newLedger()

			cutDone := make(chan []int, 1)
			if tc.cutAll {
				go func() {
					var dropped []int
					for i := 1; i < faults; i++ {
						for l.returned.Load() < int64(i*total/faults) {
							time.Sleep(time.Millisecond)
						}
						dropped = append(dropped, px.cut())
					}
					cutDone <- dropped
				}()
			}
			p.emit(t, l, workload{name: "w", workers: 8, perWorker: total / 8, ackEvery: 10})
			var dropped []int
			if tc.cutAll {
				dropped = append(<-cutDone, px.cut())
			}
			p.flush(t)

			r := account(t, l, p, readAll(t, c.ListenAddrs(), eventType, loggingTopic))
			t.Logf("connections dropped at each cut %v, produce responses withheld %d, connections accepted %d; %v",
				dropped, px.withheld(), px.accepted(), r)
			for i, n := range dropped {
				if n == 0 {
					t.Errorf("cut %d found no connection to drop", i+1)
				}
			}
			if tc.withhold != nil && px.withheld() != faults {
				t.Errorf("withheld %d produce responses, want %d", px.withheld(), faults)
			}
			r.requireExact(t)
		})
	}
}

// everyNthProduceResponse withholds every nth produce response, max times
// in all.
func everyNthProduceResponse(n, max int) func(key int16) bool {
	var mu sync.Mutex
	seen, withheld := 0, 0
	return func(key int16) bool {
		if key != int16(kmsg.Produce) {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		seen++
		if seen%n != 0 || withheld == max {
			return false
		}
		withheld++
		return true
	}
}

// advertised is a listener that reports another address than its own: the
// broker then advertises the proxy in its metadata.
type advertised struct {
	net.Listener
	addr net.Addr
}

func (a advertised) Addr() net.Addr { return a.addr }
