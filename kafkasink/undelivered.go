package kafkasink

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ErrUndelivered is returned by [Producer.Close] when records it held were
// not acknowledged by a broker before it returned: its context ended first,
// or they failed meanwhile (their delivery timeout expired). The error says
// how many and gives the last error a broker connection saw (a refused
// connection, a failed TLS handshake, a produce error) and the last failure
// of a record (kgo.ErrRecordTimeout when the delivery timeout expired), which
// it also wraps. Each record failed because Close closed the client gets a
// done error that wraps ErrUndelivered and the broker error too.
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
// record failure, wrapped unless it is Close's own (which names the broker
// error already), so that errors.Is finds kgo.ErrRecordTimeout.
func (b *brokerErrors) closeError(n int64, ctxErr, lastErr error) error {
	err := fmt.Errorf("%w: %d records not acknowledged", ErrUndelivered, n)
	if ctxErr != nil {
		err = fmt.Errorf("%w within Close's context: %w", err, ctxErr)
	}
	wrapLast := lastErr != nil && !errors.Is(lastErr, ErrUndelivered)
	if wrapLast {
		err = fmt.Errorf("%w; last record failure: %w", err, lastErr)
	}
	if cause := b.cause(); cause != nil && !(wrapLast && strings.Contains(lastErr.Error(), cause.Error())) {
		err = fmt.Errorf("%w; last cause: %w", err, cause)
	}
	return err
}
