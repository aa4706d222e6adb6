package kafkasink

import (
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Connection is how a client reaches the cluster: seed brokers, TLS and
// SASL, resolved from options and the KAFKA_* environment by the code [New]
// uses for its producer. A program that makes franz-go clients of its own
// (a consumer beside the producer, the otelrelayer tools) connects with
// [Connection.ClientOptions] exactly as the producer does. A Connection is
// immutable and safe for concurrent use.
type Connection struct {
	brokers []string
	tls     *tls.Config
	sasl    *saslAuth
}

// NewConnection resolves the connection that [New] would use with opts:
// [WithBrokers], [WithTLS], the SASL options, [WithEnvironment] and
// [WithoutEnvironment], with the environment filling in what they leave
// unset, under the same rules and with the same errors (wrapping
// [ErrConfiguration]). The other options of New are accepted and have no
// effect on a Connection. Like New, it does not contact the brokers; see
// [Connection.Ping].
func NewConnection(opts ...Option) (*Connection, error) {
	c := newConfig(opts)
	if len(c.errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrConfiguration, errors.Join(c.errs...))
	}
	c, err := c.resolveConnection()
	if err != nil {
		return nil, err
	}
	conn := &Connection{brokers: slices.Clone(c.brokers), sasl: c.sasl}
	if c.tls != nil {
		conn.tls = c.tls.Clone()
	}
	return conn, nil
}

// resolveConnection fills in brokers, TLS and SASL from the environment
// (unless WithoutEnvironment) and requires brokers; its errors wrap
// ErrConfiguration. New and NewConnection share it.
func (c config) resolveConnection() (config, error) {
	if c.useEnvironment {
		var err error
		if c, err = c.fromEnvironment(); err != nil {
			return c, fmt.Errorf("%w: %w", ErrConfiguration, err)
		}
	}
	if len(c.brokers) == 0 {
		if !c.useEnvironment {
			return c, fmt.Errorf("%w: no brokers given; pass WithBrokers(\"host:port\", ...) (KAFKA_BROKERS is not read: WithoutEnvironment)", ErrConfiguration)
		}
		return c, fmt.Errorf("%w: no brokers given; pass WithBrokers(\"host:port\", ...) or set KAFKA_BROKERS (host:port,host:port)", ErrConfiguration)
	}
	return c, nil
}

// Brokers returns the seed brokers, host:port.
func (c *Connection) Brokers() []string { return slices.Clone(c.brokers) }

// TLS reports whether the connection uses TLS.
func (c *Connection) TLS() bool { return c.tls != nil }

// SASLMechanism returns the SASL mechanism the connection authenticates
// with (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), or "" without SASL.
func (c *Connection) SASLMechanism() string {
	if c.sasl == nil {
		return ""
	}
	return c.sasl.mechanism
}

// ClientOptions returns the franz-go options of the connection: the seed
// brokers, kgo.DialTLSConfig (with a copy of the TLS configuration) and
// kgo.SASL, as [New] gives them to its client. Options given after them
// override them.
func (c *Connection) ClientOptions() []kgo.Opt {
	opts := []kgo.Opt{kgo.SeedBrokers(c.brokers...)}
	cfg := config{sasl: c.sasl}
	if c.tls != nil {
		cfg.tls = c.tls.Clone()
	}
	return append(opts, cfg.securityOpts()...)
}

// String describes the connection without its secrets, for a program to
// say where it connects: "kafka-1:9093,kafka-2:9093 (TLS, SASL
// SCRAM-SHA-512 as orders)" or "127.0.0.1:9092 (plaintext, no SASL)".
func (c *Connection) String() string {
	security := "plaintext"
	if c.tls != nil {
		security = "TLS"
		if c.tls.InsecureSkipVerify {
			security = "TLS without certificate verification"
		}
	}
	auth := "no SASL"
	if c.sasl != nil {
		auth = fmt.Sprintf("SASL %s as %s", c.sasl.mechanism, c.sasl.user)
	}
	return fmt.Sprintf("%s (%s, %s)", strings.Join(c.brokers, ","), security, auth)
}
