package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// request is what every connection sends, over and over: HTTP/1.1,
// keep-alive, no body.
var request = []byte("POST /root HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: httpbench/1\r\nX-Request-ID: httpbench\r\nContent-Length: 0\r\n\r\n")

// load runs a closed loop on conns keep-alive connections to addr for d:
// each connection sends a request, reads its response, and sends the
// next. It returns the responses read and the time from the first request
// to the last response.
func load(addr string, conns int, d time.Duration) (int64, time.Duration, error) {
	var stop atomic.Bool
	var total atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, conns)
	cs := make([]net.Conn, conns)
	for i := range cs {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			for _, c := range cs[:i] {
				c.Close()
			}
			return 0, 0, err
		}
		cs[i] = c
	}
	start := time.Now()
	t := time.AfterFunc(d, func() { stop.Store(true) })
	defer t.Stop()
	for i, c := range cs {
		wg.Go(func() {
			defer c.Close()
			r := bufio.NewReaderSize(c, 4096)
			var n int64
			for !stop.Load() {
				if _, err := c.Write(request); err != nil {
					errs[i] = err
					break
				}
				if err := readResponse(r); err != nil {
					errs[i] = err
					break
				}
				n++
			}
			total.Add(n)
		})
	}
	wg.Wait()
	return total.Load(), time.Since(start), errors.Join(errs...)
}

var errResponse = errors.New("unexpected response")

// readResponse reads one response, which must be a 201 with a
// Content-Length.
func readResponse(r *bufio.Reader) error {
	status, err := r.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(status, []byte("HTTP/1.1 201 ")) {
		return fmt.Errorf("%w: %q", errResponse, bytes.TrimSpace(status))
	}
	length := -1
	for {
		h, err := r.ReadSlice('\n')
		if err != nil {
			return err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		if name, value, ok := bytes.Cut(h, []byte(":")); ok && bytes.EqualFold(name, []byte("Content-Length")) {
			if length, err = strconv.Atoi(string(bytes.TrimSpace(value))); err != nil {
				return fmt.Errorf("%w: Content-Length %q", errResponse, value)
			}
		}
	}
	if length < 0 {
		return fmt.Errorf("%w: no Content-Length", errResponse)
	}
	_, err = r.Discard(length)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}
