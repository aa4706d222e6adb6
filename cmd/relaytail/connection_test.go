package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/internal/testing/testpki"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// TestMain clears the KAFKA_* variables, so that a developer's shell
// cannot change what the tests see: run reads the process environment.
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "KAFKA_") {
			os.Unsetenv(name)
		}
	}
	os.Exit(m.Run())
}

// writeFile writes content to a new file of t and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// relaytail reads request logs from clusters that require TLS, SASL or
// both, configured by the KAFKA_* variables, by flags, or by both.
func TestFollowsSecuredClusters(t *testing.T) {
	pki := testpki.New(t)
	tlsBroker := kfake.TLS(pki.ServerConfig(false))
	scram512File := writeFile(t, "password", testpki.Scram512Pass+"\n")
	tests := []struct {
		name       string
		cluster    []kfake.Opt
		writer     []kgo.Opt // how the test writes the request log
		env        []string
		args       []string
		wantNotice string
	}{
		{
			name: "TLS from KAFKA_TLS and KAFKA_TLS_CA_FILE", cluster: []kfake.Opt{tlsBroker},
			writer: []kgo.Opt{kgo.DialTLSConfig(pki.ClientConfig())},
			env:    []string{"KAFKA_TLS=true", "KAFKA_TLS_CA_FILE=" + pki.CAFile}, wantNotice: "(TLS, no SASL)",
		},
		{
			name: "TLS from -tls-ca alone", cluster: []kfake.Opt{tlsBroker},
			writer: []kgo.Opt{kgo.DialTLSConfig(pki.ClientConfig())},
			args:   []string{"-tls-ca", pki.CAFile}, wantNotice: "(TLS, no SASL)",
		},
		{
			name: "mutual TLS from flags", cluster: []kfake.Opt{kfake.TLS(pki.ServerConfig(true))},
			writer: []kgo.Opt{kgo.DialTLSConfig(pki.ClientConfig())},
			args:   []string{"-tls", "-tls-ca", pki.CAFile, "-tls-cert", pki.CertFile, "-tls-key", pki.KeyFile}, wantNotice: "(TLS, no SASL)",
		},
		{
			name: "SASL PLAIN from the environment", cluster: testpki.SASLUsers(),
			writer:     []kgo.Opt{kgo.SASL(plain.Auth{User: testpki.PlainUser, Pass: testpki.PlainPass}.AsMechanism())},
			env:        []string{"KAFKA_SASL_MECHANISM=PLAIN", "KAFKA_SASL_USERNAME=" + testpki.PlainUser, "KAFKA_SASL_PASSWORD=" + testpki.PlainPass},
			wantNotice: "(plaintext, SASL PLAIN as plain-user)",
		},
		{
			name: "SASL SCRAM-SHA-256 from the environment", cluster: testpki.SASLUsers(),
			writer:     []kgo.Opt{kgo.SASL(scram.Auth{User: testpki.Scram256User, Pass: testpki.Scram256Pass}.AsSha256Mechanism())},
			env:        []string{"KAFKA_SASL_MECHANISM=SCRAM-SHA-256", "KAFKA_SASL_USERNAME=" + testpki.Scram256User, "KAFKA_SASL_PASSWORD=" + testpki.Scram256Pass},
			wantNotice: "(plaintext, SASL SCRAM-SHA-256 as scram256-user)",
		},
		{
			name: "SASL_SSL with SCRAM-SHA-512 from flags and a password file", cluster: append([]kfake.Opt{tlsBroker}, testpki.SASLUsers()...),
			writer:     []kgo.Opt{kgo.DialTLSConfig(pki.ClientConfig()), kgo.SASL(scram.Auth{User: testpki.Scram512User, Pass: testpki.Scram512Pass}.AsSha512Mechanism())},
			args:       []string{"-tls-ca", pki.CAFile, "-sasl-mechanism", "SCRAM-SHA-512", "-sasl-user", testpki.Scram512User, "-sasl-password-file", scram512File},
			wantNotice: "(TLS, SASL SCRAM-SHA-512 as scram512-user)",
		},
		{
			name: "flags override variables one by one", cluster: append([]kfake.Opt{tlsBroker}, testpki.SASLUsers()...),
			writer: []kgo.Opt{kgo.DialTLSConfig(pki.ClientConfig()), kgo.SASL(scram.Auth{User: testpki.Scram512User, Pass: testpki.Scram512Pass}.AsSha512Mechanism())},
			env: []string{"KAFKA_TLS=true", "KAFKA_TLS_CA_FILE=/nonexistent/ca.pem", "KAFKA_SASL_MECHANISM=SCRAM-SHA-512",
				"KAFKA_SASL_USERNAME=someone-else", "KAFKA_SASL_PASSWORD=" + testpki.Scram512Pass},
			args:       []string{"-tls-ca", pki.CAFile, "-sasl-user", testpki.Scram512User},
			wantNotice: "(TLS, SASL SCRAM-SHA-512 as scram512-user)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			brokers := otelrelayertest.Cluster(t, tt.cluster...)
			w, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation()}, tt.writer...)...)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if err := w.ProduceSync(t.Context(), &kgo.Record{Topic: "logging", Value: requestLog("/secured")}).FirstErr(); err != nil {
				t.Fatalf("writing the request log: %v", err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			var stdout, stderr bytes.Buffer
			env := append([]string{"KAFKA_BROKERS=" + strings.Join(brokers, ",")}, tt.env...)
			args := append([]string{"-n", "1", "-color", "never", "-window", "0"}, tt.args...)
			if err := runEnv(ctx, args, env, &stdout, &stderr); err != nil {
				t.Fatalf("relaytail %q: %v\n%s", args, err, stderr.String())
			}
			if !strings.Contains(stdout.String(), "GET /secured") {
				t.Errorf("stdout %q, want the request log", stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.wantNotice) || strings.Contains(stderr.String(), "secret") {
				t.Errorf("stderr %q, want a notice saying %q, without the password", stderr.String(), tt.wantNotice)
			}
		})
	}
}

// What relaytail cannot honour, or a broker refuses, ends it at start with
// the reason, never with a plaintext or unauthenticated connection.
func TestRefusesWhatItCannotHonour(t *testing.T) {
	pki, otherPKI := testpki.New(t), testpki.New(t)
	tlsCluster := otelrelayertest.Cluster(t, kfake.TLS(pki.ServerConfig(false)))
	saslCluster := otelrelayertest.Cluster(t, testpki.SASLUsers()...)
	notPEM := writeFile(t, "ca.pem", "not a certificate")
	sasl := func(mechanism, user string) []string {
		return []string{"KAFKA_SASL_MECHANISM=" + mechanism, "KAFKA_SASL_USERNAME=" + user, "KAFKA_SASL_PASSWORD=wrong"}
	}
	tests := []struct {
		name     string
		brokers  []string
		env      []string
		args     []string
		usage    bool // exit status 2 rather than 1
		wantText []string
		wantAlso func(error) bool
	}{
		{name: "wrong PLAIN password", brokers: saslCluster, env: sasl("PLAIN", testpki.PlainUser),
			wantText: []string{`SASL PLAIN authentication as "plain-user": wrong user or password`}},
		{name: "wrong SCRAM-SHA-256 password", brokers: saslCluster, env: sasl("SCRAM-SHA-256", testpki.Scram256User),
			wantText: []string{`SASL SCRAM-SHA-256 authentication as "scram256-user": wrong user or password`}},
		{name: "wrong SCRAM-SHA-512 password from a file", brokers: saslCluster,
			args:     []string{"-sasl-mechanism", "SCRAM-SHA-512", "-sasl-user", testpki.Scram512User, "-sasl-password-file", writeFile(t, "pw", "wrong")},
			wantText: []string{`SASL SCRAM-SHA-512 authentication as "scram512-user": wrong user or password`, "-sasl-password-file stands for KAFKA_SASL_PASSWORD"}},
		{name: "a CA that did not sign the broker's certificate", brokers: tlsCluster, args: []string{"-tls-ca", otherPKI.CAFile},
			wantText: []string{"signed by an authority this client does not trust", "-tls-ca stands for KAFKA_TLS_CA_FILE"},
			wantAlso: func(err error) bool { return errors.As(err, new(x509.UnknownAuthorityError)) }},
		{name: "the system roots for a private CA", brokers: tlsCluster, env: []string{"KAFKA_TLS=true"},
			wantText: []string{"signed by an authority this client does not trust"}},
		{name: "plaintext to a TLS broker", brokers: tlsCluster, wantText: []string{"is TLS missing?"}},
		{name: "no SASL to a SASL broker", brokers: saslCluster, wantText: []string{"is SASL missing?"}},
		{name: "a CA file that holds no certificate", brokers: tlsCluster, args: []string{"-tls-ca", notPEM}, usage: true,
			wantText: []string{"no PEM certificate in the file", "-tls-ca stands for KAFKA_TLS_CA_FILE"}},
		{name: "a security variable kafkasink does not read", brokers: saslCluster, env: []string{"KAFKA_SECURITY_PROTOCOL=SASL_SSL"}, usage: true,
			wantText: []string{"KAFKA_SECURITY_PROTOCOL set, but not a variable otelrelayer reads"}},
		{name: "a CA file without KAFKA_TLS", brokers: tlsCluster, env: []string{"KAFKA_TLS_CA_FILE=" + pki.CAFile}, usage: true,
			wantText: []string{"KAFKA_TLS_CA_FILE set without KAFKA_TLS"}},
		{name: "a user without a mechanism", brokers: saslCluster, args: []string{"-sasl-user", "u", "-sasl-password-file", writeFile(t, "pw", "p")}, usage: true,
			wantText: []string{"set without KAFKA_SASL_MECHANISM", "-sasl-user stands for KAFKA_SASL_USERNAME"}},
		{name: "an unknown mechanism", brokers: saslCluster, args: []string{"-sasl-mechanism", "GSSAPI"}, usage: true,
			wantText: []string{`KAFKA_SASL_MECHANISM="GSSAPI": unknown SASL mechanism`}},
		{name: "a password file that does not exist", brokers: saslCluster, args: []string{"-sasl-password-file", "/nonexistent/pw"}, usage: true,
			wantText: []string{"-sasl-password-file: /nonexistent/pw: no such file"}},
		{name: "an empty password file", brokers: saslCluster, args: []string{"-sasl-password-file", writeFile(t, "pw", "\n")}, usage: true,
			wantText: []string{"the first line is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			var stdout, stderr bytes.Buffer
			env := append([]string{"KAFKA_BROKERS=" + strings.Join(tt.brokers, ",")}, tt.env...)
			err := runEnv(ctx, append([]string{"-color", "never"}, tt.args...), env, &stdout, &stderr)
			if err == nil || ctx.Err() != nil {
				t.Fatalf("relaytail: %v, want an error before its context ends", err)
			}
			for _, want := range tt.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q, want it to say %q", err, want)
				}
			}
			if isUsage := errors.As(err, new(cli.UsageError)); isUsage != tt.usage {
				t.Errorf("error %v: usage error %v, want %v", err, isUsage, tt.usage)
			}
			if !tt.usage && !errors.Is(err, kafkasink.ErrConnection) {
				t.Errorf("error %v, want kafkasink.ErrConnection", err)
			}
			if tt.wantAlso != nil && !tt.wantAlso(err) {
				t.Errorf("error %v does not carry the expected cause", err)
			}
			if strings.Contains(err.Error(), "wrong\"") || strings.Contains(stderr.String(), "following") || stdout.Len() > 0 {
				t.Errorf("error %q, stderr %q, stdout %q: a password shown, or reading claimed", err, stderr.String(), stdout.String())
			}
		})
	}
}

func TestHelpListsTheConnectionFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := runEnv(t.Context(), []string{"-h"}, nil, &stdout, &stderr); err == nil {
		t.Fatal("-h: no error, want flag.ErrHelp")
	}
	for _, want := range []string{
		"-brokers host:port", "$KAFKA_BROKERS", "-tls", "$KAFKA_TLS)", "-tls-ca file", "$KAFKA_TLS_CA_FILE", "-tls-cert file", "-tls-key file",
		"-tls-server-name name", "-tls-insecure-skip-verify", "-sasl-mechanism mechanism", "SCRAM-SHA-512", "-sasl-user user",
		"-sasl-password-file file", "no flag for the password itself",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("-h does not say %q:\n%s", want, stderr.String())
		}
	}
}
