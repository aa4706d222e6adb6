package kafkasink

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ErrUndelivered is returned by [Producer.Close] when records it held were
// not acknowledged by a broker before it returned: its context ended first,
// or they failed meanwhile (their delivery timeout expired). The error says
// how many and gives the last error a broker connection saw (a refused
// connection, a failed TLS handshake, a produce error), which it also wraps.
// Each such record's done callback gets an error that wraps it too.
var ErrUndelivered = errors.New("kafkasink: not delivered")

// brokerErrors keeps the last error of the client's broker connections, so
// that records failed by Close can say why they were not delivered (the
// client's own error for them is only "client closed").
type brokerErrors struct {
	last    atomic.Pointer[error]
	closing atomic.Bool // Close began: errors from here on are its own doing
}

var (
	_ kgo.HookBrokerConnect = (*brokerErrors)(nil)
	_ kgo.HookBrokerWrite   = (*brokerErrors)(nil)
	_ kgo.HookBrokerRead    = (*brokerErrors)(nil)
)

func (b *brokerErrors) OnBrokerConnect(_ kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	b.note(err)
}

func (b *brokerErrors) OnBrokerWrite(_ kgo.BrokerMetadata, _ int16, _ int, _, _ time.Duration, err error) {
	b.note(err)
}

func (b *brokerErrors) OnBrokerRead(_ kgo.BrokerMetadata, _ int16, _ int, _, _ time.Duration, err error) {
	b.note(err)
}

func (b *brokerErrors) note(err error) {
	if err == nil || b.closing.Load() || errors.Is(err, context.Canceled) || errors.Is(err, kgo.ErrClientClosed) {
		return
	}
	b.last.Store(&err)
}

// cause is the last broker error seen, or nil.
func (b *brokerErrors) cause() error {
	if e := b.last.Load(); e != nil {
		return *e
	}
	return nil
}

// undelivered turns the error of a record failed because the client closed
// into one that says so and gives the last broker error.
func (b *brokerErrors) undelivered(err error) error {
	if cause := b.cause(); cause != nil {
		return fmt.Errorf("%w: the producer closed before a broker acknowledged the record (%w); last broker error: %w", ErrUndelivered, err, cause)
	}
	return fmt.Errorf("%w: the producer closed before a broker acknowledged the record (%w)", ErrUndelivered, err)
}

// closeError is Close's error when n records were not delivered; ctxErr is
// the context's error when it ended first (wrapped too), lastErr the last
// record failure.
func (b *brokerErrors) closeError(n int64, ctxErr, lastErr error) error {
	err := fmt.Errorf("%w: %d records not acknowledged", ErrUndelivered, n)
	if ctxErr != nil {
		err = fmt.Errorf("%w within Close's context: %w", err, ctxErr)
	}
	cause := b.cause()
	if cause == nil && lastErr != nil && !errors.Is(lastErr, ErrUndelivered) {
		cause = lastErr
	}
	if cause != nil {
		err = fmt.Errorf("%w; last cause: %w", err, cause)
	}
	return err
}
