package kafkasink

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// The environment variables [New] reads, unless [WithoutEnvironment]. A
// variable set to the empty string counts as unset.
const (
	envBrokers               = "KAFKA_BROKERS"
	envTLS                   = "KAFKA_TLS"
	envTLSCAFile             = "KAFKA_TLS_CA_FILE"
	envTLSCertFile           = "KAFKA_TLS_CERT_FILE"
	envTLSKeyFile            = "KAFKA_TLS_KEY_FILE"
	envTLSServerName         = "KAFKA_TLS_SERVER_NAME"
	envTLSInsecureSkipVerify = "KAFKA_TLS_INSECURE_SKIP_VERIFY"
	envSASLMechanism         = "KAFKA_SASL_MECHANISM"
	envSASLUsername          = "KAFKA_SASL_USERNAME"
	envSASLPassword          = "KAFKA_SASL_PASSWORD"
)

// knownVariables are the variables read; see unreadSecurityVariables.
var knownVariables = []string{
	envBrokers, envTLS, envTLSCAFile, envTLSCertFile, envTLSKeyFile, envTLSServerName,
	envTLSInsecureSkipVerify, envSASLMechanism, envSASLUsername, envSASLPassword,
}

// WithoutEnvironment makes [New] ignore the KAFKA_* environment variables
// (see the package documentation), so that only options configure the
// producer: for tests, and for programs that read their configuration
// elsewhere. By default the environment fills in what options leave unset.
func WithoutEnvironment() Option {
	return optionFunc(func(c config) config {
		c.useEnvironment = false
		return c
	})
}

// WithEnvironment makes [New] and [NewConnection] read the KAFKA_*
// variables from environ, a list of "NAME=value" entries as [os.Environ]
// returns, instead of the process environment; when a name appears twice
// the last entry wins. The default is os.Environ(), read when New is
// called. It lets a program whose command-line flags stand for some of the
// variables (the otelrelayer tools do) append them as entries, and tests
// give an environment of their own. A nil environ reads the process
// environment; [WithoutEnvironment] wins over WithEnvironment.
func WithEnvironment(environ []string) Option {
	environ = slices.Clone(environ) // nil stays nil, empty stays empty
	return optionFunc(func(c config) config {
		c.environ = environ
		return c
	})
}

// environment holds the variables read, by name.
type environment map[string]string

func newEnvironment(environ []string) environment {
	if environ == nil {
		environ = os.Environ()
	}
	env := make(environment, len(environ))
	for _, kv := range environ {
		if name, value, ok := strings.Cut(kv, "="); ok {
			env[name] = value
		}
	}
	return env
}

func (e environment) get(name string) string { return e[name] }

// fromEnvironment fills in, from the environment, the settings no option
// gave: brokers, TLS, SASL, each as a whole. Variables that an option
// overrides are not read. Every invalid variable is reported, joined.
func (c config) fromEnvironment() (config, error) {
	env := newEnvironment(c.environ)
	errs := []error{env.unreadSecurityVariables()}
	if len(c.brokers) == 0 {
		brokers, err := env.brokers()
		errs = append(errs, err)
		c.brokers = brokers
	}
	if c.tls == nil {
		cfg, err := env.tls()
		errs = append(errs, err)
		c.tls = cfg
	}
	if c.sasl == nil {
		auth, err := env.sasl()
		errs = append(errs, err)
		c.sasl = auth
	}
	return c, errors.Join(errs...)
}

// brokers splits KAFKA_BROKERS at commas, trimming spaces,
// and refuses every entry that is not a host:port address (see
// [WithBrokers]).
func (e environment) brokers() ([]string, error) {
	v := e.get(envBrokers)
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	brokers := strings.Split(v, ",")
	for i, b := range brokers {
		brokers[i] = strings.TrimSpace(b)
	}
	if err := checkBrokers(envBrokers, brokers); err != nil {
		return nil, fmt.Errorf("%s=%q: %w", envBrokers, v, err)
	}
	return brokers, nil
}

// tls returns the TLS configuration KAFKA_TLS=true asks for,
// or nil. The other KAFKA_TLS_* variables refine it and are refused without
// KAFKA_TLS, so that a CA file never leaves a connection silently in
// plaintext.
func (e environment) tls() (*tls.Config, error) {
	on, set, err := e.bool(envTLS)
	if err != nil {
		return nil, err
	}
	if !set {
		if others := e.set(envTLSCAFile, envTLSCertFile, envTLSKeyFile, envTLSServerName, envTLSInsecureSkipVerify); len(others) > 0 {
			return nil, fmt.Errorf("%s set without %s: set %s=true to connect with TLS, or %s=false to ignore them", strings.Join(others, ", "), envTLS, envTLS, envTLS)
		}
		return nil, nil
	}
	if !on {
		return nil, nil
	}
	cfg := &tls.Config{ServerName: strings.TrimSpace(e.get(envTLSServerName))}
	var errs []error
	insecure, _, err := e.bool(envTLSInsecureSkipVerify)
	errs = append(errs, err)
	cfg.InsecureSkipVerify = insecure
	if path := strings.TrimSpace(e.get(envTLSCAFile)); path != "" {
		pool, err := readCAFile(path)
		errs = append(errs, err)
		cfg.RootCAs = pool
	}
	certFile := strings.TrimSpace(e.get(envTLSCertFile))
	keyFile := strings.TrimSpace(e.get(envTLSKeyFile))
	switch {
	case certFile != "" && keyFile != "":
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q, %s=%q: loading the client certificate: %w", envTLSCertFile, certFile, envTLSKeyFile, keyFile, err))
		}
		cfg.Certificates = []tls.Certificate{cert}
	case certFile != "":
		errs = append(errs, fmt.Errorf("%s is set without %s: a client certificate needs its private key", envTLSCertFile, envTLSKeyFile))
	case keyFile != "":
		errs = append(errs, fmt.Errorf("%s is set without %s: a private key needs its client certificate", envTLSKeyFile, envTLSCertFile))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return cfg, nil
}

// readCAFile returns a pool of the PEM certificates in path, which replace
// the system roots.
func readCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the CA file: %w", envTLSCAFile, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s=%q: no PEM certificate in the file", envTLSCAFile, path)
	}
	return pool, nil
}

// sasl returns the SASL mechanism KAFKA_SASL_MECHANISM names,
// with its credentials, or nil.
func (e environment) sasl() (*saslAuth, error) {
	mechanism := strings.ToUpper(strings.TrimSpace(e.get(envSASLMechanism)))
	user, pass := e.get(envSASLUsername), e.get(envSASLPassword)
	if mechanism == "" {
		if others := e.set(envSASLUsername, envSASLPassword); len(others) > 0 {
			return nil, fmt.Errorf("%s set without %s: set it to %s, %s or %s", strings.Join(others, ", "), envSASLMechanism, saslPlain, saslScramSHA256, saslScramSHA512)
		}
		return nil, nil
	}
	switch mechanism {
	case saslPlain, saslScramSHA256, saslScramSHA512:
	default:
		return nil, fmt.Errorf("%s=%q: unknown SASL mechanism; use %s, %s or %s", envSASLMechanism, e.get(envSASLMechanism), saslPlain, saslScramSHA256, saslScramSHA512)
	}
	var errs []error
	if user == "" {
		errs = append(errs, fmt.Errorf("%s is empty: %s=%s needs a user", envSASLUsername, envSASLMechanism, mechanism))
	}
	if pass == "" {
		errs = append(errs, fmt.Errorf("%s is empty: %s=%s needs a password", envSASLPassword, envSASLMechanism, mechanism))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &saslAuth{source: envSASLMechanism, mechanism: mechanism, user: user, pass: pass}, nil
}

// bool parses name as strconv.ParseBool does (true, false,
// 1, 0, t, f, in any case); set is false when name is unset or empty.
func (e environment) bool(name string) (v, set bool, err error) {
	s := strings.TrimSpace(e.get(name))
	if s == "" {
		return false, false, nil
	}
	v, err = strconv.ParseBool(strings.ToLower(s))
	if err != nil {
		return false, true, fmt.Errorf("%s=%q: not a boolean (use true or false)", name, e.get(name))
	}
	return v, true, nil
}

// set returns the names among names that are set and not empty.
func (e environment) set(names ...string) []string {
	var set []string
	for _, n := range names {
		if e.get(n) != "" {
			set = append(set, n)
		}
	}
	return set
}

// securityPrefixes start the names of variables that configure how a
// client secures its connection, in otelrelayer's spelling or another
// tool's (KAFKA_SECURITY_PROTOCOL, KAFKA_SSL_*, KAFKA_SASL_JAAS_CONFIG...).
var securityPrefixes = []string{"KAFKA_TLS_", "KAFKA_SSL_", "KAFKA_SASL_", "KAFKA_SECURITY_"}

// unreadSecurityVariables refuses a set variable that asks for TLS or SASL
// in a way this package does not read: ignoring it would connect in
// plaintext, or without authentication, without a word. Other KAFKA_*
// variables (a service's own KAFKA_TOPIC, say) are left alone.
func (e environment) unreadSecurityVariables() error {
	var unread []string
	for name, value := range e {
		if value == "" || slices.Contains(knownVariables, name) {
			continue
		}
		for _, p := range securityPrefixes {
			if strings.HasPrefix(name, p) {
				unread = append(unread, name)
				break
			}
		}
	}
	if len(unread) == 0 {
		return nil
	}
	slices.Sort(unread)
	return fmt.Errorf("%s set, but not a variable otelrelayer reads, so the connection would not be secured as it asks: "+
		"use KAFKA_TLS=true with KAFKA_TLS_CA_FILE, KAFKA_TLS_CERT_FILE, KAFKA_TLS_KEY_FILE, KAFKA_TLS_SERVER_NAME, KAFKA_TLS_INSECURE_SKIP_VERIFY "+
		"and KAFKA_SASL_MECHANISM (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD, and unset %s",
		strings.Join(unread, ", "), pronoun(len(unread)))
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
