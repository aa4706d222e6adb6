package kafkasink

import (
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// SASL mechanism names, as Kafka spells them (sasl.mechanism,
// sasl.enabled.mechanisms).
const (
	saslPlain       = "PLAIN"
	saslScramSHA256 = "SCRAM-SHA-256"
	saslScramSHA512 = "SCRAM-SHA-512"
)

// saslAuth is the one SASL mechanism a Producer authenticates with.
type saslAuth struct {
	source     string // the option or variable that set it, for errors
	mechanism  string
	user, pass string
}

func (a saslAuth) franzMechanism() sasl.Mechanism {
	switch a.mechanism {
	case saslScramSHA256:
		return scram.Auth{User: a.user, Pass: a.pass}.AsSha256Mechanism()
	case saslScramSHA512:
		return scram.Auth{User: a.user, Pass: a.pass}.AsSha512Mechanism()
	default:
		return plain.Auth{User: a.user, Pass: a.pass}.AsMechanism()
	}
}

// WithTLS connects to the brokers over TLS with cfg; the default is
// plaintext. cfg is cloned when WithTLS is called, so later changes to it
// are not seen; franz-go clones it again for every connection and sets
// ServerName to the broker's host when cfg leaves it empty. A nil cfg makes
// [New] fail with [ErrConfiguration]; &tls.Config{} verifies brokers against
// the system roots.
//
// A later WithTLS overrides an earlier one. WithTLS takes precedence over
// the KAFKA_TLS* environment variables, which are then not read. A
// kgo.DialTLSConfig in [WithClientOptions] overrides it, and a kgo.Dialer
// there conflicts with it ([New] fails). It combines with one of the SASL
// options, e.g. [WithSASLScramSHA512], for SASL_SSL.
func WithTLS(cfg *tls.Config) Option {
	if cfg != nil {
		cfg = cfg.Clone()
	}
	return optionFunc(func(c config) config {
		if cfg == nil {
			return c.withError(errors.New("WithTLS(nil): pass a *tls.Config (&tls.Config{} verifies brokers against the system roots)"))
		}
		c.tls = cfg
		return c
	})
}

// WithSASLPlain authenticates with SASL/PLAIN (RFC 4616) as user; the
// default is no authentication. PLAIN sends the password as is: use it with
// [WithTLS] outside a trusted network.
//
// An empty user or password makes [New] fail with [ErrConfiguration]
// (brokers and franz-go refuse them). A producer authenticates with one
// mechanism: giving two SASL options, even twice the same one, makes [New]
// fail instead of letting one silently win. A SASL option takes precedence
// over the KAFKA_SASL_* environment variables, which are then not read. A
// kgo.SASL in [WithClientOptions] is only tried after it, when the broker
// does not support this mechanism.
func WithSASLPlain(user, pass string) Option {
	return withSASL("WithSASLPlain", saslPlain, user, pass)
}

// WithSASLScramSHA256 authenticates with SASL/SCRAM-SHA-256 (RFC 5802,
// RFC 7677) as user; the default is no authentication. Its rules and
// interactions are those of [WithSASLPlain].
func WithSASLScramSHA256(user, pass string) Option {
	return withSASL("WithSASLScramSHA256", saslScramSHA256, user, pass)
}

// WithSASLScramSHA512 authenticates with SASL/SCRAM-SHA-512 (RFC 5802) as
// user; the default is no authentication. Its rules and interactions are
// those of [WithSASLPlain].
func WithSASLScramSHA512(user, pass string) Option {
	return withSASL("WithSASLScramSHA512", saslScramSHA512, user, pass)
}

func withSASL(option, mechanism, user, pass string) Option {
	return optionFunc(func(c config) config {
		if c.sasl != nil {
			return c.withError(fmt.Errorf("%s: SASL is already configured by %s; give only one SASL option", option, c.sasl.source))
		}
		if err := checkCredentials(user, pass); err != nil {
			return c.withError(fmt.Errorf("%s: %w", option, err))
		}
		c.sasl = &saslAuth{source: option, mechanism: mechanism, user: user, pass: pass}
		return c
	})
}

// checkCredentials refuses what no broker accepts. Its errors never contain
// the password.
func checkCredentials(user, pass string) error {
	switch {
	case user == "":
		return errors.New("empty SASL user")
	case pass == "":
		return fmt.Errorf("empty SASL password for user %q", user)
	}
	return nil
}

// securityOpts returns the franz-go options for TLS and SASL, before the
// caller's WithClientOptions.
func (c config) securityOpts() []kgo.Opt {
	var opts []kgo.Opt
	if c.tls != nil {
		opts = append(opts, kgo.DialTLSConfig(c.tls))
	}
	if c.sasl != nil {
		opts = append(opts, kgo.SASL(c.sasl.franzMechanism()))
	}
	return opts
}
