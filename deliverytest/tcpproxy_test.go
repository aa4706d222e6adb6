package deliverytest

import (
	"encoding/binary"
	"io"
	"net"
	"sync"
)

// proxy forwards the TCP connections it accepts on loopback to target, one
// Kafka frame at a time, so that it knows which request each response
// answers. It can drop every connection at once, or drop a connection in
// place of forwarding a response.
type proxy struct {
	ln       net.Listener
	target   string
	withhold func(key int16) bool // nil: forward every response

	mu     sync.Mutex
	conns  map[net.Conn]struct{} // both sides of every forwarded connection
	n      int                   // connections accepted
	held   int                   // responses withheld
	closed bool
	wg     sync.WaitGroup
}

func newProxy(target string, withhold func(key int16) bool) (*proxy, error) {
	return newProxyOn("127.0.0.1:0", target, withhold)
}

// newProxyOn is newProxy listening on addr: a proxy closed earlier comes
// back at its address.
func newProxyOn(addr, target string, withhold func(key int16) bool) (*proxy, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	px := &proxy{ln: ln, target: target, withhold: withhold, conns: map[net.Conn]struct{}{}}
	px.wg.Go(px.serve)
	return px, nil
}

func (px *proxy) serve() {
	for {
		client, err := px.ln.Accept()
		if err != nil {
			return
		}
		px.wg.Go(func() { px.forward(client) })
	}
}

func (px *proxy) forward(client net.Conn) {
	server, err := net.Dial("tcp", px.target)
	if err != nil {
		client.Close()
		return
	}
	if !px.track(client, server) {
		return
	}
	var mu sync.Mutex
	keys := map[int32]int16{} // correlation ID → request key, while in flight
	var both sync.WaitGroup
	both.Go(func() { // requests: size, key, version, correlation ID, ...
		defer px.drop(client, server) // either side closing ends both, as a broken link would
		for {
			frame, err := readFrame(client)
			if err != nil {
				return
			}
			if len(frame) >= 12 {
				mu.Lock()
				keys[int32(binary.BigEndian.Uint32(frame[8:]))] = int16(binary.BigEndian.Uint16(frame[4:]))
				mu.Unlock()
			}
			if _, err := server.Write(frame); err != nil {
				return
			}
		}
	})
	both.Go(func() { // responses: size, correlation ID, ...
		defer px.drop(client, server)
		for {
			frame, err := readFrame(server)
			if err != nil || len(frame) < 8 {
				return
			}
			corr := int32(binary.BigEndian.Uint32(frame[4:]))
			mu.Lock()
			key, ok := keys[corr]
			delete(keys, corr)
			mu.Unlock()
			if ok && px.withhold != nil && px.withhold(key) {
				px.mu.Lock()
				px.held++
				px.mu.Unlock()
				return
			}
			if _, err := client.Write(frame); err != nil {
				return
			}
		}
	})
	both.Wait()
}

func readFrame(r io.Reader) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	frame := make([]byte, 4+int(binary.BigEndian.Uint32(size[:])))
	copy(frame, size[:])
	_, err := io.ReadFull(r, frame[4:])
	return frame, err
}

// track registers a connection pair, or closes it when the proxy is closed.
func (px *proxy) track(client, server net.Conn) bool {
	px.mu.Lock()
	defer px.mu.Unlock()
	if px.closed {
		client.Close()
		server.Close()
		return false
	}
	px.n++
	px.conns[client] = struct{}{}
	px.conns[server] = struct{}{}
	return true
}

func (px *proxy) drop(conns ...net.Conn) {
	px.mu.Lock()
	defer px.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(px.conns, c)
	}
}

// cut drops every connection and returns how many client connections it
// dropped.
func (px *proxy) cut() int {
	px.mu.Lock()
	defer px.mu.Unlock()
	for c := range px.conns {
		c.Close()
	}
	n := len(px.conns) / 2
	clear(px.conns)
	return n
}

func (px *proxy) accepted() int {
	px.mu.Lock()
	defer px.mu.Unlock()
	return px.n
}

func (px *proxy) withheld() int {
	px.mu.Lock()
	defer px.mu.Unlock()
	return px.held
}

// close stops accepting, drops every connection and waits for the proxy's
// goroutines.
func (px *proxy) close() {
	px.ln.Close()
	px.mu.Lock()
	px.closed = true
	px.mu.Unlock()
	px.cut()
	px.wg.Wait()
}
