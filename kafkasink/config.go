package kafkasink

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

type config struct {
	brokers          []string
	clientOpts       []kgo.Opt
	logger           *slog.Logger
	maxBuffered      int
	maxBufferedBytes int64
	deliveryTimeout  time.Duration
	tls              *tls.Config
	sasl             *saslAuth
	useEnvironment   bool
	errs             []error // options found invalid, reported by New
}

func newConfig(opts []Option) config {
	c := config{
		logger:           slog.Default(),
		maxBuffered:      DefaultMaxBufferedRecords,
		maxBufferedBytes: DefaultMaxBufferedBytes,
		deliveryTimeout:  DefaultDeliveryTimeout,
		useEnvironment:   true,
	}
	for _, o := range opts {
		c = o.apply(c)
	}
	return c
}

// withError records an invalid option: options cannot return errors, so
// [New] reports them.
func (c config) withError(err error) config {
	c.errs = append(append([]error(nil), c.errs...), err)
	return c
}

// Option configures a [Producer].
type Option interface {
	apply(config) config
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

// WithBrokers sets the seed brokers, as host:port. Calls accumulate. When
// they give no address, the comma-separated KAFKA_BROKERS environment
// variable is used instead (unless [WithoutEnvironment]); with neither,
// [New] fails with [ErrConfiguration].
func WithBrokers(brokers ...string) Option {
	brokers = append([]string(nil), brokers...)
	return optionFunc(func(c config) config {
		c.brokers = append(append([]string(nil), c.brokers...), brokers...)
		return c
	})
}

// WithClientOptions passes franz-go options to the client, applied after
// otelrelayer's defaults (seed brokers, automatic topic creation, snappy
// compression), so they override them: the equivalent of the Python
// library's producer_opts; kgo.ProducerBatchCompression(kgo.ZstdCompression())
// halves the bytes sent for more CPU per message. Calls accumulate.
func WithClientOptions(opts ...kgo.Opt) Option {
	opts = append([]kgo.Opt(nil), opts...)
	return optionFunc(func(c config) config {
		c.clientOpts = append(append([]kgo.Opt(nil), c.clientOpts...), opts...)
		return c
	})
}

// WithLogger sets the logger that receives every produced message at Debug
// level. The default is [slog.Default]; a nil logger disables the log.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c config) config {
		c.logger = l
		return c
	})
}

// DefaultMaxBufferedRecords is the number of records a [Producer] holds in
// flight before Produce waits: franz-go's own default.
const DefaultMaxBufferedRecords = 50_000

// WithMaxBufferedRecords bounds the records held in flight (buffered or being
// sent), overriding the default [DefaultMaxBufferedRecords]. When the bound is
// reached, Produce waits until a record completes or its context is done.
// A tenth of the bound is kept for Produce calls whose context is already
// done (the exporter's request logs, which must not wait): calls that may
// wait start waiting at nine tenths. It also sets franz-go's
// MaxBufferedRecords, one higher (franz-go counts a record until its done
// callback returns); smaller franz-go limits given in WithClientOptions make
// records fail with ErrBufferFull instead of waiting.
func WithMaxBufferedRecords(n int) Option {
	return optionFunc(func(c config) config {
		c.maxBuffered = n
		return c
	})
}

// DefaultMaxBufferedBytes is the number of bytes (keys, values and headers)
// a [Producer] holds in flight before Produce waits.
const DefaultMaxBufferedBytes = 64 << 20

// WithMaxBufferedBytes bounds the bytes (keys, values, headers) held in
// flight, overriding [DefaultMaxBufferedBytes]. It works with
// [WithMaxBufferedRecords]: Produce waits when either bound is reached, and a
// tenth of each is kept for calls that must not wait.
func WithMaxBufferedBytes(n int64) Option {
	return optionFunc(func(c config) config {
		c.maxBufferedBytes = n
		return c
	})
}

// DefaultDeliveryTimeout is how long a record may wait for a broker before it
// fails: Kafka's delivery.timeout.ms default.
const DefaultDeliveryTimeout = 2 * time.Minute

// WithDeliveryTimeout sets how long a record may wait, retries included, for
// a broker to accept it before it fails with kgo.ErrRecordTimeout, overriding
// [DefaultDeliveryTimeout]; 0 means no limit (franz-go's default), and other
// values below one second are refused (franz-go's minimum). A service
// started while Kafka is absent keeps serving: records wait for a broker
// within this time, then fail through their done callback.
func WithDeliveryTimeout(d time.Duration) Option {
	return optionFunc(func(c config) config {
		c.deliveryTimeout = d
		return c
	})
}
