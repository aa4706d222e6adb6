package outbox

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel"
)

type relayConfig struct {
	table        string
	batchSize    int
	pollInterval time.Duration
	retryBackoff time.Duration
	notifier     Notifier
	errorHandler func(error)
}

// Defaults of [NewRelay].
const (
	DefaultBatchSize    = 500
	DefaultPollInterval = 200 * time.Millisecond
	DefaultRetryBackoff = time.Second
)

func newRelayConfig(opts []RelayOption) (relayConfig, error) {
	c := relayConfig{
		table:        DefaultTable,
		batchSize:    DefaultBatchSize,
		pollInterval: DefaultPollInterval,
		retryBackoff: DefaultRetryBackoff,
		errorHandler: otel.Handle,
	}
	for _, o := range opts {
		if o != nil {
			c = o.applyRelay(c)
		}
	}
	if err := checkTable(c.table); err != nil {
		return c, err
	}
	if c.batchSize < 1 {
		return c, fmt.Errorf("%w: batch size %d: at least 1", ErrConfiguration, c.batchSize)
	}
	if c.pollInterval <= 0 || c.retryBackoff <= 0 {
		return c, fmt.Errorf("%w: poll interval %v and retry backoff %v must be positive", ErrConfiguration, c.pollInterval, c.retryBackoff)
	}
	return c, nil
}

type relayOptionFunc func(relayConfig) relayConfig

func (f relayOptionFunc) applyRelay(c relayConfig) relayConfig { return f(c) }

// WithBatchSize sets how many rows the relay claims at once. Default
// [DefaultBatchSize] (500); values below 1 are an [ErrConfiguration].
func WithBatchSize(n int) RelayOption {
	return relayOptionFunc(func(c relayConfig) relayConfig { c.batchSize = n; return c })
}

// WithPollInterval sets how long the relay waits, when it found no row,
// before it looks again (after a batch it looks again at once). Default [DefaultPollInterval] (200ms). With a
// [Notifier] the relay looks at once when notified and polls as fallback.
func WithPollInterval(d time.Duration) RelayOption {
	return relayOptionFunc(func(c relayConfig) relayConfig { c.pollInterval = d; return c })
}

// WithRetryBackoff sets how long the relay waits after a failure (database
// unreachable, broker not acknowledging) before it tries again. Default
// [DefaultRetryBackoff] (1s).
func WithRetryBackoff(d time.Duration) RelayOption {
	return relayOptionFunc(func(c relayConfig) relayConfig { c.retryBackoff = d; return c })
}

// WithNotifier makes the relay look for rows as soon as n says some were
// committed (on PostgreSQL: pgnotify.New). Default none: polling only. A nil
// n keeps the default.
func WithNotifier(n Notifier) RelayOption {
	return relayOptionFunc(func(c relayConfig) relayConfig {
		if n != nil {
			c.notifier = n
		}
		return c
	})
}

// WithErrorHandler sets where the relay reports what it cannot return: rows
// moved aside (wrapping [ErrRefused]), database and broker failures it will
// retry. Default otel.Handle; a nil handler keeps the default.
func WithErrorHandler(h func(error)) RelayOption {
	return relayOptionFunc(func(c relayConfig) relayConfig {
		if h != nil {
			c.errorHandler = h
		}
		return c
	})
}

// A Notifier tells a relay that committed rows may be waiting.
type Notifier interface {
	// Listen sends on wake, without blocking (a send already pending is
	// enough), each time rows may have been committed, until ctx ends. It
	// returns ctx's error then, or the error that stopped it earlier: the
	// relay reports it, polls, and calls Listen again after its retry
	// backoff.
	Listen(ctx context.Context, wake chan<- struct{}) error
}
