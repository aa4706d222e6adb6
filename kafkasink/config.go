package kafkasink

import (
	"crypto/tls"
	"log/slog"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

type config struct {
	brokers            []string
	clientOpts         []kgo.Opt
	logger             *slog.Logger
	maxBuffered        int
	maxBufferedBytes   int64
	deliveryTimeout    time.Duration
	deliveryTimeoutSet bool // WithDeliveryTimeout was given
	tls                *tls.Config
	sasl               *saslAuth
	useEnvironment     bool
	environ            []string // nil: os.Environ()
	spool              spoolConfig
	errs               []error // options found invalid, reported by New
}

func newConfig(opts []Option) config {
	c := config{
		logger:           slog.Default(),
		maxBuffered:      DefaultMaxBufferedRecords,
		maxBufferedBytes: DefaultMaxBufferedBytes,
		deliveryTimeout:  DefaultDeliveryTimeout,
		useEnvironment:   true,
		spool:            spoolConfig{maxBytes: DefaultSpoolMaxBytes},
	}
	for _, o := range opts {
		if o != nil {
			c = o.apply(c)
		}
	}
	return c
}

// withError records an invalid option: options cannot return errors, so
// [New] reports them.
func (c config) withError(err error) config {
	c.errs = append(append([]error(nil), c.errs...), err)
	return c
}

// Option configures a [Producer]. A nil Option is ignored; each option says
// what its zero or nil value does.
type Option interface {
	apply(config) config
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

// WithBrokers sets the seed brokers, as host:port: a host name, an IPv4
// address or a bracketed IPv6 address ("[::1]:9092"), and a port from 1 to
// 65535, which is required. Calls accumulate. When they give no address, the
// comma-separated KAFKA_BROKERS environment variable is used instead (unless
// [WithoutEnvironment]), with the same rules and spaces around commas
// trimmed; with neither, [New] fails with [ErrConfiguration]. Every
// malformed address, from the option or the variable, makes New fail with
// ErrConfiguration naming the option or variable and the address.
func WithBrokers(brokers ...string) Option {
	brokers = append([]string(nil), brokers...)
	return optionFunc(func(c config) config {
		if err := checkBrokers("WithBrokers", brokers); err != nil {
			c = c.withError(err)
		}
		c.brokers = append(append([]string(nil), c.brokers...), brokers...)
		return c
	})
}

// WithClientOptions passes franz-go options to the client, applied after
// otelrelayer's defaults (seed brokers, automatic topic creation, snappy
// compression), so they override them: the equivalent of the Python
// library's producer_opts; kgo.ProducerBatchCompression(kgo.ZstdCompression())
// halves the bytes sent for more CPU per message. Calls accumulate; nil
// options are ignored.
func WithClientOptions(opts ...kgo.Opt) Option {
	opts = slices.DeleteFunc(slices.Clone(opts), func(o kgo.Opt) bool { return o == nil })
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
// A tenth of the bound is kept for messages given with [ProduceOptions]
// Reserve: others wait at nine tenths, or fail there at once with
// ProduceOptions NoWait (or a context already done). It also sets franz-go's
// MaxBufferedRecords, one higher (franz-go counts a record until its done
// callback returns); smaller franz-go limits given in WithClientOptions make
// records fail with ErrBufferFull instead of waiting. A value below 1 makes
// [New] fail with [ErrConfiguration].
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
// tenth of each is kept for messages given with [ProduceOptions] Reserve. A value below 1 makes
// [New] fail with [ErrConfiguration].
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
// within this time, then fail through their done callback. With
// [WithSpool] a record never fails for being late: the timeout bounds one
// attempt in franz-go (default [DefaultSpoolAttemptTimeout]), after which
// the record goes back to the spool and is produced again later.
func WithDeliveryTimeout(d time.Duration) Option {
	return optionFunc(func(c config) config {
		c.deliveryTimeout, c.deliveryTimeoutSet = d, true
		return c
	})
}

// DefaultMetadataMinAge is the shortest time between two metadata requests of
// a [Producer]'s client: franz-go's MetadataMinAge, whose own default is 5s.
//
// A produce answered with a retriable error that carries no new leader
// (NOT_LEADER_FOR_PARTITION from an older broker, NETWORK_EXCEPTION, a cut
// connection) makes franz-go retry the partition only after its next metadata
// refresh. With 5s between refreshes, a storm of such errors during leader
// elections or a rolling restart holds each partition for 5s per error, and
// records run into their delivery timeout: lost events. Kafka's Java producer
// refreshes after retry.backoff.ms (100ms, growing to 1s); 250ms is franz-go's
// own floor for re-asking after a partial answer and its first retry backoff.
// It bounds the metadata requests of a client in trouble to four a second, and
// changes nothing while the cluster is healthy (metadata is then refreshed
// every 5 minutes, franz-go's MetadataMaxAge). kgo.MetadataMinAge in
// [WithClientOptions] overrides it.
const DefaultMetadataMinAge = 250 * time.Millisecond
