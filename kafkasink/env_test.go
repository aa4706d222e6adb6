package kafkasink_test

import (
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/otelrelayer/otelrelayer/internal/testing/testpki"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// TestMain clears the KAFKA_* variables New reads, so that a developer's
// shell cannot change what the tests see; tests set them with t.Setenv.
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "KAFKA_") {
			os.Unsetenv(name)
		}
	}
	os.Exit(m.Run())
}

func TestEnvironmentPrecedence(t *testing.T) {
	pki := testpki.New(t)
	tests := []struct {
		name           string
		env            map[string]string // $CA, $CERT, $KEY: see setTestEnv
		opts           []kafkasink.Option
		wantBrokers    []string
		wantTLS        string // ServerName, "-" for no TLS
		wantInsecure   bool
		wantMechanisms []string
	}{
		{
			name:        "KAFKA_BROKERS without WithBrokers, spaces trimmed",
			env:         map[string]string{"KAFKA_BROKERS": " 127.0.0.1:1, 127.0.0.1:2 ,127.0.0.1:3 "},
			wantBrokers: []string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"},
			wantTLS:     "-",
		},
		{
			name:        "WithBrokers wins over KAFKA_BROKERS, even an invalid one",
			env:         map[string]string{"KAFKA_BROKERS": "127.0.0.1:1,,"},
			opts:        []kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:9")},
			wantBrokers: []string{"127.0.0.1:9"},
			wantTLS:     "-",
		},
		{
			name:        "WithBrokers without addresses falls back to KAFKA_BROKERS",
			env:         map[string]string{"KAFKA_BROKERS": "127.0.0.1:1"},
			opts:        []kafkasink.Option{kafkasink.WithBrokers()},
			wantBrokers: []string{"127.0.0.1:1"},
			wantTLS:     "-",
		},
		{
			name:    "KAFKA_TLS=true alone verifies against the system roots",
			env:     map[string]string{"KAFKA_TLS": "true"},
			wantTLS: "",
		},
		{
			name:         "every TLS variable",
			env:          map[string]string{"KAFKA_TLS": "t", "KAFKA_TLS_CA_FILE": "$CA", "KAFKA_TLS_CERT_FILE": "$CERT", "KAFKA_TLS_KEY_FILE": "$KEY", "KAFKA_TLS_SERVER_NAME": " kafka.internal ", "KAFKA_TLS_INSECURE_SKIP_VERIFY": "True"},
			wantTLS:      "kafka.internal",
			wantInsecure: true,
		},
		{
			name:    "KAFKA_TLS=false ignores the other TLS variables",
			env:     map[string]string{"KAFKA_TLS": "false", "KAFKA_TLS_CA_FILE": "/nonexistent/ca.pem"},
			wantTLS: "-",
		},
		{
			name:    "WithTLS wins over the TLS variables, which are not read",
			env:     map[string]string{"KAFKA_TLS": "maybe", "KAFKA_TLS_SERVER_NAME": "from.env", "KAFKA_TLS_CA_FILE": "/nonexistent/ca.pem"},
			opts:    []kafkasink.Option{kafkasink.WithTLS(&tls.Config{ServerName: "from.option"})},
			wantTLS: "from.option",
		},
		{
			name:           "KAFKA_SASL_MECHANISM",
			env:            map[string]string{"KAFKA_SASL_MECHANISM": " Scram-Sha-512 ", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p"},
			wantTLS:        "-",
			wantMechanisms: []string{"SCRAM-SHA-512"},
		},
		{
			name:           "a SASL option wins over the SASL variables, which are not read",
			env:            map[string]string{"KAFKA_SASL_MECHANISM": "GSSAPI", "KAFKA_SASL_USERNAME": "env-user"},
			opts:           []kafkasink.Option{kafkasink.WithSASLPlain("u", "p")},
			wantTLS:        "-",
			wantMechanisms: []string{"PLAIN"},
		},
		{
			name:           "WithTLS and SASL from the environment combine",
			env:            map[string]string{"KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p"},
			opts:           []kafkasink.Option{kafkasink.WithTLS(&tls.Config{ServerName: "from.option"})},
			wantTLS:        "from.option",
			wantMechanisms: []string{"PLAIN"},
		},
		{
			name: "WithoutEnvironment ignores every variable",
			env: map[string]string{
				"KAFKA_BROKERS": "127.0.0.1:1", "KAFKA_TLS": "true",
				"KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p",
			},
			opts:        []kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:9"), kafkasink.WithoutEnvironment()},
			wantBrokers: []string{"127.0.0.1:9"},
			wantTLS:     "-",
		},
		{
			name:    "a variable set to the empty string counts as unset",
			env:     map[string]string{"KAFKA_TLS": "", "KAFKA_SASL_MECHANISM": "", "KAFKA_SASL_USERNAME": "", "KAFKA_BROKERS": "  "},
			opts:    []kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:9")},
			wantTLS: "-",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setTestEnv(t, tt.env, pki, nil)
			opts := tt.opts
			if tt.wantBrokers == nil {
				opts = append([]kafkasink.Option{kafkasink.WithBrokers(closedAddr(t))}, opts...)
			}
			p, err := kafkasink.New(append(opts, kafkasink.WithLogger(nil))...)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			t.Cleanup(func() { p.Close(canceledContext(t)) })

			if tt.wantBrokers != nil {
				if got := p.Client().OptValue(kgo.SeedBrokers); !slices.Equal(got.([]string), tt.wantBrokers) {
					t.Errorf("seed brokers = %q, want %q", got, tt.wantBrokers)
				}
			}
			assertSecurity(t, p, tt.wantTLS, tt.wantMechanisms)
			if cfg, _ := p.Client().OptValue(kgo.DialTLSConfig).(*tls.Config); cfg != nil && cfg.InsecureSkipVerify != tt.wantInsecure {
				t.Errorf("InsecureSkipVerify = %v, want %v", cfg.InsecureSkipVerify, tt.wantInsecure)
			}
		})
	}
}

// Every way New can be misconfigured fails with ErrConfiguration, names the
// option or variable at fault, returns no producer, and never prints a
// password.
func TestNewRejectsInvalidOptionsAndEnvironment(t *testing.T) {
	const secret = "s3cret-password"
	pki := testpki.New(t)
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	broker := kafkasink.WithBrokers("127.0.0.1:9092")
	tests := []struct {
		name     string
		env      map[string]string // $CA, $CERT, $KEY: see setTestEnv
		opts     []kafkasink.Option
		wantText []string
	}{
		// Brokers.
		{name: "no brokers", wantText: []string{"no brokers given", "WithBrokers", "KAFKA_BROKERS"}},
		{name: "no brokers, environment ignored", env: map[string]string{"KAFKA_BROKERS": "127.0.0.1:1"}, opts: []kafkasink.Option{kafkasink.WithoutEnvironment()},
			wantText: []string{"no brokers given", "WithBrokers", "KAFKA_BROKERS is not read", "WithoutEnvironment"}},
		{name: "empty broker", opts: []kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:9092", "")}, wantText: []string{"empty broker address"}},
		{name: "empty broker in KAFKA_BROKERS", env: map[string]string{"KAFKA_BROKERS": "127.0.0.1:1,,127.0.0.1:2"}, wantText: []string{`KAFKA_BROKERS="127.0.0.1:1,,127.0.0.1:2"`, "empty broker address"}},
		{name: "trailing comma in KAFKA_BROKERS", env: map[string]string{"KAFKA_BROKERS": "127.0.0.1:1,"}, wantText: []string{"KAFKA_BROKERS", "empty broker address"}},

		// Options.
		{name: "nil TLS config", opts: []kafkasink.Option{broker, kafkasink.WithTLS(nil)}, wantText: []string{"WithTLS(nil)"}},
		{name: "empty PLAIN user", opts: []kafkasink.Option{broker, kafkasink.WithSASLPlain("", secret)}, wantText: []string{"WithSASLPlain: empty SASL user"}},
		{name: "empty SCRAM-SHA-256 user", opts: []kafkasink.Option{broker, kafkasink.WithSASLScramSHA256("", secret)}, wantText: []string{"WithSASLScramSHA256: empty SASL user"}},
		{name: "empty SCRAM-SHA-512 user", opts: []kafkasink.Option{broker, kafkasink.WithSASLScramSHA512("", secret)}, wantText: []string{"WithSASLScramSHA512: empty SASL user"}},
		{name: "empty SASL password", opts: []kafkasink.Option{broker, kafkasink.WithSASLPlain("orders", "")}, wantText: []string{`WithSASLPlain: empty SASL password for user "orders"`}},
		{name: "two SASL mechanisms", opts: []kafkasink.Option{broker, kafkasink.WithSASLPlain("a", secret), kafkasink.WithSASLScramSHA512("b", secret)},
			wantText: []string{"WithSASLScramSHA512: SASL is already configured by WithSASLPlain"}},
		{name: "the same SASL option twice", opts: []kafkasink.Option{broker, kafkasink.WithSASLScramSHA256("a", secret), kafkasink.WithSASLScramSHA256("a", secret)},
			wantText: []string{"WithSASLScramSHA256: SASL is already configured by WithSASLScramSHA256"}},
		{name: "invalid options are reported together", opts: []kafkasink.Option{broker, kafkasink.WithTLS(nil), kafkasink.WithSASLPlain("", "")},
			wantText: []string{"WithTLS(nil)", "WithSASLPlain: empty SASL user"}},
		{name: "zero buffered records", opts: []kafkasink.Option{broker, kafkasink.WithMaxBufferedRecords(0)}, wantText: []string{"WithMaxBufferedRecords(0) must be at least 1"}},
		{name: "zero buffered bytes", opts: []kafkasink.Option{broker, kafkasink.WithMaxBufferedBytes(0)}, wantText: []string{"WithMaxBufferedBytes(0) must be at least 1"}},
		{name: "negative delivery timeout", opts: []kafkasink.Option{broker, kafkasink.WithDeliveryTimeout(-time.Second)}, wantText: []string{"WithDeliveryTimeout(-1s) must be 0 (no limit) or at least 1s"}},
		{name: "delivery timeout below franz-go's minimum", opts: []kafkasink.Option{broker, kafkasink.WithDeliveryTimeout(500 * time.Millisecond)}, wantText: []string{"WithDeliveryTimeout(500ms) must be 0 (no limit) or at least 1s"}},
		{name: "WithTLS and a kgo.Dialer", opts: []kafkasink.Option{broker, kafkasink.WithTLS(&tls.Config{}), kafkasink.WithClientOptions(kgo.Dialer((&net.Dialer{}).DialContext))},
			wantText: []string{"cannot set both Dialer and DialTLSConfig"}},

		// TLS variables.
		{name: "KAFKA_TLS not a boolean", env: map[string]string{"KAFKA_TLS": "yes"}, opts: []kafkasink.Option{broker}, wantText: []string{`KAFKA_TLS="yes": not a boolean`}},
		{name: "KAFKA_TLS_INSECURE_SKIP_VERIFY not a boolean", env: map[string]string{"KAFKA_TLS": "true", "KAFKA_TLS_INSECURE_SKIP_VERIFY": "sometimes"}, opts: []kafkasink.Option{broker},
			wantText: []string{`KAFKA_TLS_INSECURE_SKIP_VERIFY="sometimes": not a boolean`}},
		{name: "TLS variables without KAFKA_TLS", env: map[string]string{"KAFKA_TLS_CA_FILE": "$CA", "KAFKA_TLS_SERVER_NAME": "kafka"}, opts: []kafkasink.Option{broker},
			wantText: []string{"KAFKA_TLS_CA_FILE, KAFKA_TLS_SERVER_NAME set without KAFKA_TLS", "KAFKA_TLS=true"}},
		{name: "unreadable CA file", env: map[string]string{"KAFKA_TLS": "true", "KAFKA_TLS_CA_FILE": filepath.Join(dir, "missing.pem")}, opts: []kafkasink.Option{broker},
			wantText: []string{"KAFKA_TLS_CA_FILE: reading the CA file", "missing.pem", "no such file"}},
		{name: "CA file without a certificate", env: map[string]string{"KAFKA_TLS": "true", "KAFKA_TLS_CA_FILE": notPEM}, opts: []kafkasink.Option{broker},
			wantText: []string{"KAFKA_TLS_CA_FILE=", "no PEM certificate"}},
		{name: "client certificate without key", env: map[string]string{"KAFKA_TLS": "true", "KAFKA_TLS_CERT_FILE": "$CERT"}, opts: []kafkasink.Option{broker},
			wantText: []string{"KAFKA_TLS_CERT_FILE is set without KAFKA_TLS_KEY_FILE"}},
		{name: "key without client certificate", env: map[string]string{"KAFKA_TLS": "true", "KAFKA_TLS_KEY_FILE": "$KEY"}, opts: []kafkasink.Option{broker},
			wantText: []string{"KAFKA_TLS_KEY_FILE is set without KAFKA_TLS_CERT_FILE"}},
		{name: "key file that is not a key", env: map[string]string{"KAFKA_TLS": "true", "KAFKA_TLS_CERT_FILE": "$CERT", "KAFKA_TLS_KEY_FILE": "$CA"}, opts: []kafkasink.Option{broker},
			wantText: []string{"KAFKA_TLS_CERT_FILE=", "KAFKA_TLS_KEY_FILE=", "loading the client certificate"}},

		// SASL variables.
		{name: "unknown SASL mechanism", env: map[string]string{"KAFKA_SASL_MECHANISM": "GSSAPI", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": secret}, opts: []kafkasink.Option{broker},
			wantText: []string{`KAFKA_SASL_MECHANISM="GSSAPI": unknown SASL mechanism`, "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"}},
		{name: "SASL mechanism without user", env: map[string]string{"KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_PASSWORD": secret}, opts: []kafkasink.Option{broker},
			wantText: []string{"KAFKA_SASL_USERNAME is empty: KAFKA_SASL_MECHANISM=PLAIN needs a user"}},
		{name: "SASL mechanism without password", env: map[string]string{"KAFKA_SASL_MECHANISM": "SCRAM-SHA-256", "KAFKA_SASL_USERNAME": "u"}, opts: []kafkasink.Option{broker},
			wantText: []string{"KAFKA_SASL_PASSWORD is empty: KAFKA_SASL_MECHANISM=SCRAM-SHA-256 needs a password"}},
		{name: "SASL credentials without mechanism", env: map[string]string{"KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": secret}, opts: []kafkasink.Option{broker},
			wantText: []string{"KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD set without KAFKA_SASL_MECHANISM"}},

		// Several at once.
		{name: "invalid variables are reported together", env: map[string]string{"KAFKA_BROKERS": ",", "KAFKA_TLS": "on", "KAFKA_SASL_MECHANISM": "OAUTHBEARER"},
			wantText: []string{"KAFKA_BROKERS", "KAFKA_TLS=", "KAFKA_SASL_MECHANISM="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setTestEnv(t, tt.env, pki, nil)
			p, err := kafkasink.New(append(tt.opts, kafkasink.WithLogger(nil))...)
			if p != nil {
				p.Close(canceledContext(t))
				t.Fatalf("New returned a producer, with error %v", err)
			}
			if !errors.Is(err, kafkasink.ErrConfiguration) {
				t.Fatalf("New() error = %v, want errors.Is ErrConfiguration", err)
			}
			for _, want := range tt.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("New() error = %q, want it to mention %q", err, want)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("New() error = %q shows the password", err)
			}
		})
	}
}

func TestSecurityOptionsConfigureTheClient(t *testing.T) {
	tests := []struct {
		name           string
		opts           []kafkasink.Option
		wantTLS        string // ServerName of the dial TLS config; "-" for none
		wantMechanisms []string
	}{
		{"plaintext by default", nil, "-", nil},
		{"WithTLS", []kafkasink.Option{kafkasink.WithTLS(&tls.Config{ServerName: "first"})}, "first", nil},
		{"a later WithTLS overrides an earlier one", []kafkasink.Option{
			kafkasink.WithTLS(&tls.Config{ServerName: "first"}),
			kafkasink.WithTLS(&tls.Config{ServerName: "second"}),
		}, "second", nil},
		{"kgo.DialTLSConfig in WithClientOptions overrides WithTLS", []kafkasink.Option{
			kafkasink.WithTLS(&tls.Config{ServerName: "ours"}),
			kafkasink.WithClientOptions(kgo.DialTLSConfig(&tls.Config{ServerName: "theirs"})),
		}, "theirs", nil},
		{"WithSASLPlain", []kafkasink.Option{kafkasink.WithSASLPlain("u", "p")}, "-", []string{"PLAIN"}},
		{"WithSASLScramSHA256", []kafkasink.Option{kafkasink.WithSASLScramSHA256("u", "p")}, "-", []string{"SCRAM-SHA-256"}},
		{"WithSASLScramSHA512", []kafkasink.Option{kafkasink.WithSASLScramSHA512("u", "p")}, "-", []string{"SCRAM-SHA-512"}},
		{"kgo.SASL in WithClientOptions comes after ours", []kafkasink.Option{
			kafkasink.WithClientOptions(kgo.SASL(plain.Auth{User: "u", Pass: "p"}.AsMechanism())),
			kafkasink.WithSASLScramSHA512("u", "p"),
		}, "-", []string{"SCRAM-SHA-512", "PLAIN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newUnreachableProducer(t, append([]kafkasink.Option{kafkasink.WithoutEnvironment()}, tt.opts...)...)
			assertSecurity(t, p, tt.wantTLS, tt.wantMechanisms)
		})
	}
}

// assertSecurity checks the TLS config (by ServerName, "-" for none) and the
// SASL mechanisms, in order, that p's client was built with.
func assertSecurity(t *testing.T, p *kafkasink.Producer, wantTLS string, wantMechanisms []string) {
	t.Helper()
	gotTLS := "-"
	if cfg, _ := p.Client().OptValue(kgo.DialTLSConfig).(*tls.Config); cfg != nil {
		gotTLS = cfg.ServerName
	}
	if gotTLS != wantTLS {
		t.Errorf("TLS server name = %q, want %q", gotTLS, wantTLS)
	}
	var gotMechanisms []string
	mechanisms, _ := p.Client().OptValue(kgo.SASL).([]sasl.Mechanism)
	for _, m := range mechanisms {
		gotMechanisms = append(gotMechanisms, m.Name())
	}
	if strings.Join(gotMechanisms, ",") != strings.Join(wantMechanisms, ",") {
		t.Errorf("SASL mechanisms = %q, want %q", gotMechanisms, wantMechanisms)
	}
}

// setTestEnv sets env for t, with the values replaced as testEnvValue
// does; $BROKERS is joined with spaces around the commas, which New trims.
func setTestEnv(t *testing.T, env map[string]string, pki *testpki.PKI, seeds []string) {
	t.Helper()
	for name, value := range env {
		t.Setenv(name, testEnvValue(value, pki, seeds, " , "))
	}
}

// testEnvValue replaces $CA, $CERT and $KEY with the paths of pki's PEM
// files and $BROKERS with seeds joined by sep; other values stay.
func testEnvValue(value string, pki *testpki.PKI, seeds []string, sep string) string {
	switch value {
	case "$CA":
		return pki.CAFile
	case "$CERT":
		return pki.CertFile
	case "$KEY":
		return pki.KeyFile
	case "$BROKERS":
		return strings.Join(seeds, sep)
	}
	return value
}
