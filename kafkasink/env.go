package kafkasink

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
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

// fromEnvironment fills in, from the environment, the settings no option
// gave: brokers, TLS, SASL, each as a whole. Variables that an option
// overrides are not read. Every invalid variable is reported, joined.
func (c config) fromEnvironment() (config, error) {
	var errs []error
	if len(c.brokers) == 0 {
		brokers, err := brokersFromEnvironment()
		errs = append(errs, err)
		c.brokers = brokers
	}
	if c.tls == nil {
		cfg, err := tlsFromEnvironment()
		errs = append(errs, err)
		c.tls = cfg
	}
	if c.sasl == nil {
		auth, err := saslFromEnvironment()
		errs = append(errs, err)
		c.sasl = auth
	}
	return c, errors.Join(errs...)
}

// brokersFromEnvironment splits KAFKA_BROKERS at commas, trimming spaces,
// and refuses every entry that is not a host:port address (see
// [WithBrokers]).
func brokersFromEnvironment() ([]string, error) {
	v := os.Getenv(envBrokers)
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

// tlsFromEnvironment returns the TLS configuration KAFKA_TLS=true asks for,
// or nil. The other KAFKA_TLS_* variables refine it and are refused without
// KAFKA_TLS, so that a CA file never leaves a connection silently in
// plaintext.
func tlsFromEnvironment() (*tls.Config, error) {
	on, set, err := boolFromEnvironment(envTLS)
	if err != nil {
		return nil, err
	}
	if !set {
		if others := setVariables(envTLSCAFile, envTLSCertFile, envTLSKeyFile, envTLSServerName, envTLSInsecureSkipVerify); len(others) > 0 {
			return nil, fmt.Errorf("%s set without %s: set %s=true to connect with TLS, or %s=false to ignore them", strings.Join(others, ", "), envTLS, envTLS, envTLS)
		}
		return nil, nil
	}
	if !on {
		return nil, nil
	}
	cfg := &tls.Config{ServerName: strings.TrimSpace(os.Getenv(envTLSServerName))}
	var errs []error
	insecure, _, err := boolFromEnvironment(envTLSInsecureSkipVerify)
	errs = append(errs, err)
	cfg.InsecureSkipVerify = insecure
	if path := strings.TrimSpace(os.Getenv(envTLSCAFile)); path != "" {
		pool, err := readCAFile(path)
		errs = append(errs, err)
		cfg.RootCAs = pool
	}
	certFile := strings.TrimSpace(os.Getenv(envTLSCertFile))
	keyFile := strings.TrimSpace(os.Getenv(envTLSKeyFile))
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

// saslFromEnvironment returns the SASL mechanism KAFKA_SASL_MECHANISM names,
// with its credentials, or nil.
func saslFromEnvironment() (*saslAuth, error) {
	mechanism := strings.ToUpper(strings.TrimSpace(os.Getenv(envSASLMechanism)))
	user, pass := os.Getenv(envSASLUsername), os.Getenv(envSASLPassword)
	if mechanism == "" {
		if others := setVariables(envSASLUsername, envSASLPassword); len(others) > 0 {
			return nil, fmt.Errorf("%s set without %s: set it to %s, %s or %s", strings.Join(others, ", "), envSASLMechanism, saslPlain, saslScramSHA256, saslScramSHA512)
		}
		return nil, nil
	}
	switch mechanism {
	case saslPlain, saslScramSHA256, saslScramSHA512:
	default:
		return nil, fmt.Errorf("%s=%q: unknown SASL mechanism; use %s, %s or %s", envSASLMechanism, os.Getenv(envSASLMechanism), saslPlain, saslScramSHA256, saslScramSHA512)
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

// boolFromEnvironment parses name as strconv.ParseBool does (true, false,
// 1, 0, t, f, in any case); set is false when name is unset or empty.
func boolFromEnvironment(name string) (v, set bool, err error) {
	s := strings.TrimSpace(os.Getenv(name))
	if s == "" {
		return false, false, nil
	}
	v, err = strconv.ParseBool(strings.ToLower(s))
	if err != nil {
		return false, true, fmt.Errorf("%s=%q: not a boolean (use true or false)", name, os.Getenv(name))
	}
	return v, true, nil
}

// setVariables returns the names among names that are set and not empty.
func setVariables(names ...string) []string {
	var set []string
	for _, n := range names {
		if os.Getenv(n) != "" {
			set = append(set, n)
		}
	}
	return set
}
