package consolesink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// ErrClosed is given to a message's done callback when the message is
// produced to a [Sink] after its Close.
var ErrClosed = errors.New("consolesink: the sink is closed")

// Sink is a [kafkasink.Sink] for development without Kafka: it writes every message
// to an io.Writer, readably, instead of producing it. The default layout is
// one block per message:
//
//	--- order_created key "10"
//	    traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
//	    relayer-event-id: 01a21b90-b940-7b81-9c68-e443e357578c
//	{
//	  "id": 10
//	}
//
// The key is shown quoted when it is printable text, as a UUID when it is 16
// other bytes (a uuid.UUID partition key), in hex otherwise, and as "no key"
// when it is nil. Header values are shown as text, or as a UUID or hex in the
// same way. A JSON value is indented; a value that is not JSON is shown as
// text or, when binary, as a hex dump, after a note that says so; a nil
// value (a tombstone) as "(no value)". See
// [WithCompact] for one line per message and [WithColor] for colours.
//
// Produce writes the message with a single Write call and then calls done,
// before it returns: done(nil), or the writer's error. It never waits on ctx
// and ignores it: the sink has no buffer to wait for. Sink is safe for
// concurrent use: messages are written one at a time, never interleaved.
// Writing happens in the caller's goroutine (the exporter's OnEnd for request
// logs), so a slow writer slows the program down: Sink is meant for
// development, not for production traffic.
type Sink struct {
	cfg config

	mu     sync.Mutex // serializes writes and guards closed
	w      io.Writer
	closed bool
}

var _ kafkasink.Sink = (*Sink)(nil)

// New returns a Sink writing to w, typically os.Stdout; a nil w
// is os.Stdout. The Sink never closes w.
func New(w io.Writer, opts ...Option) *Sink {
	if w == nil {
		w = os.Stdout
	}
	var c config
	for _, o := range opts {
		if o != nil {
			c = o.apply(c)
		}
	}
	return &Sink{cfg: c, w: w}
}

// Produce implements [kafkasink.Sink]: it writes m and calls done before returning.
func (c *Sink) Produce(_ context.Context, m kafkasink.Message, done func(error)) {
	// Rendered outside the lock: only the write is serialized.
	var out []byte
	if c.cfg.compact {
		out = c.appendCompact(nil, m)
	} else {
		out = c.appendBlock(nil, m)
	}
	c.mu.Lock()
	var err error
	if c.closed {
		err = ErrClosed
	} else if _, werr := c.w.Write(out); werr != nil {
		err = fmt.Errorf("consolesink: writing a message of %s: %w", m.Topic, werr)
	}
	c.mu.Unlock()
	if done != nil {
		done(err)
	}
}

// Flush implements [kafkasink.Sink]. Every message is written before its Produce
// returns, so Flush only waits for a write in progress, and returns nil.
func (c *Sink) Flush(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return nil
}

// Close implements [kafkasink.Sink]: it waits for a write in progress, then later
// calls to Produce fail with [ErrClosed] and write nothing. It does
// not close the writer and returns nil; calling it again has no effect.
func (c *Sink) Close(context.Context) error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return nil
}
