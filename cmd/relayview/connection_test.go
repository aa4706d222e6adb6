package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
	"github.com/otelrelayer/otelrelayer/internal/testing/testpki"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// The view reads clusters that require TLS, SASL or both, configured by
// the KAFKA_* variables or by flags.
func TestServesSecuredClusters(t *testing.T) {
	pki := testpki.New(t)
	tlsBroker := kfake.TLS(pki.ServerConfig(false))
	passwordFile := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(passwordFile, []byte(testpki.Scram512Pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cluster []kfake.Opt
		writer  []kgo.Opt
		env     []string
		args    []string
		notice  string // how the view says it connects
	}{
		{"TLS with a certificate made in the test", []kfake.Opt{tlsBroker}, []kgo.Opt{kgo.DialTLSConfig(pki.ClientConfig())},
			[]string{"KAFKA_TLS=true", "KAFKA_TLS_CA_FILE=" + pki.CAFile}, nil, "(TLS, no SASL)"},
		{"mutual TLS from flags", []kfake.Opt{kfake.TLS(pki.ServerConfig(true))}, []kgo.Opt{kgo.DialTLSConfig(pki.ClientConfig())},
			nil, []string{"-tls-ca", pki.CAFile, "-tls-cert", pki.CertFile, "-tls-key", pki.KeyFile}, "(TLS, no SASL)"},
		{"SASL PLAIN", testpki.SASLUsers(), []kgo.Opt{kgo.SASL(plain.Auth{User: testpki.PlainUser, Pass: testpki.PlainPass}.AsMechanism())},
			[]string{"KAFKA_SASL_MECHANISM=PLAIN", "KAFKA_SASL_USERNAME=" + testpki.PlainUser, "KAFKA_SASL_PASSWORD=" + testpki.PlainPass}, nil, "(plaintext, SASL PLAIN as plain-user)"},
		{"SASL SCRAM-SHA-256", testpki.SASLUsers(), []kgo.Opt{kgo.SASL(scram.Auth{User: testpki.Scram256User, Pass: testpki.Scram256Pass}.AsSha256Mechanism())},
			[]string{"KAFKA_SASL_MECHANISM=scram-sha-256", "KAFKA_SASL_USERNAME=" + testpki.Scram256User, "KAFKA_SASL_PASSWORD=" + testpki.Scram256Pass}, nil, "(plaintext, SASL SCRAM-SHA-256 as scram256-user)"},
		{"SASL_SSL with SCRAM-SHA-512 from flags", append([]kfake.Opt{tlsBroker}, testpki.SASLUsers()...),
			[]kgo.Opt{kgo.DialTLSConfig(pki.ClientConfig()), kgo.SASL(scram.Auth{User: testpki.Scram512User, Pass: testpki.Scram512Pass}.AsSha512Mechanism())},
			nil, []string{"-tls-ca", pki.CAFile, "-sasl-mechanism", "SCRAM-SHA-512", "-sasl-user", testpki.Scram512User, "-sasl-password-file", passwordFile}, "(TLS, SASL SCRAM-SHA-512 as scram512-user)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			brokers := otelrelayertest.Cluster(t, tt.cluster...)
			w, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation()}, tt.writer...)...)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if err := w.ProduceSync(t.Context(), &kgo.Record{Topic: "logging", Value: requestLog("/secured", time.Now())}).FirstErr(); err != nil {
				t.Fatalf("writing the request log: %v", err)
			}

			ctx, cancel := context.WithCancel(t.Context())
			out := &testkit.Buffer{}
			errc := make(chan error, 1)
			env := append([]string{"KAFKA_BROKERS=" + strings.Join(brokers, ",")}, tt.env...)
			go func() { errc <- run(ctx, append([]string{"-ui", "127.0.0.1:0"}, tt.args...), out, out, env) }()
			defer func() {
				cancel()
				if err := <-errc; err != nil {
					t.Errorf("run: %v", err)
				}
			}()
			m := out.WaitFor(t, regexp.MustCompile(`web view at (http://127\.0\.0\.1:\d+/)\n`), 20*time.Second)
			deadline := time.Now().Add(20 * time.Second)
			for list := ""; !strings.Contains(list, "/secured"); list = testkit.Get(t, m[1]) {
				if time.Now().After(deadline) {
					t.Fatalf("no request log listed within 20s; output:\n%s\nlist:\n%s", out.String(), list)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if !strings.Contains(out.String(), tt.notice) || strings.Contains(out.String(), "secret") {
				t.Errorf("output %q, want it to say %q, without the password", out.String(), tt.notice)
			}
		})
	}
}

// A wrong password or CA ends relayview at start with the reason, before
// it serves anything.
func TestRefusedConnectionsFailAtStart(t *testing.T) {
	pki, otherPKI := testpki.New(t), testpki.New(t)
	tlsCluster := otelrelayertest.Cluster(t, kfake.TLS(pki.ServerConfig(false)))
	saslCluster := otelrelayertest.Cluster(t, testpki.SASLUsers()...)
	wrong := func(mechanism, user string) []string {
		return []string{"KAFKA_SASL_MECHANISM=" + mechanism, "KAFKA_SASL_USERNAME=" + user, "KAFKA_SASL_PASSWORD=wrong"}
	}
	tests := []struct {
		name     string
		brokers  []string
		env      []string
		args     []string
		usage    bool
		wantText string
		wantAlso func(error) bool
	}{
		{"wrong PLAIN password", saslCluster, wrong("PLAIN", testpki.PlainUser), nil, false, `SASL PLAIN authentication as "plain-user": wrong user or password`, nil},
		{"wrong SCRAM-SHA-256 password", saslCluster, wrong("SCRAM-SHA-256", testpki.Scram256User), nil, false, `SASL SCRAM-SHA-256 authentication as "scram256-user": wrong user or password`, nil},
		{"wrong SCRAM-SHA-512 password", saslCluster, wrong("SCRAM-SHA-512", testpki.Scram512User), nil, false, `SASL SCRAM-SHA-512 authentication as "scram512-user": wrong user or password`, nil},
		{"wrong CA", tlsCluster, nil, []string{"-tls-ca", otherPKI.CAFile}, false, "signed by an authority this client does not trust",
			func(err error) bool { return errors.As(err, new(x509.UnknownAuthorityError)) }},
		{"plaintext to a TLS broker", tlsCluster, nil, nil, false, "is TLS missing?", nil},
		{"an unread security variable", saslCluster, []string{"KAFKA_SASL_JAAS_CONFIG=x"}, nil, true, "KAFKA_SASL_JAAS_CONFIG set, but not a variable otelrelayer reads", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			var out bytes.Buffer
			env := append([]string{"KAFKA_BROKERS=" + strings.Join(tt.brokers, ",")}, tt.env...)
			err := run(ctx, append([]string{"-ui", "127.0.0.1:0"}, tt.args...), &out, &out, env)
			if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("run: %v, want an error saying %q before its context ends", err, tt.wantText)
			}
			if errors.As(err, new(cli.UsageError)) != tt.usage || !tt.usage && !errors.Is(err, kafkasink.ErrConnection) {
				t.Errorf("run: %v, want a usage error: %v, else kafkasink.ErrConnection", err, tt.usage)
			}
			if tt.wantAlso != nil && !tt.wantAlso(err) {
				t.Errorf("run: %v does not carry the expected cause", err)
			}
			if strings.Contains(out.String(), "web view at") {
				t.Errorf("output %q: serves a view of a cluster it could not read", out.String())
			}
		})
	}
}

func TestHelpListsTheConnectionFlags(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-h"}, &out, &out, nil); err == nil {
		t.Fatal("-h: no error, want flag.ErrHelp")
	}
	for _, want := range []string{"-brokers host:port", "-tls", "-tls-ca file", "-tls-cert file", "-tls-key file", "-tls-server-name name",
		"-sasl-mechanism mechanism", "-sasl-user user", "-sasl-password-file file", "-timeout duration"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-h does not say %q:\n%s", want, out.String())
		}
	}
}
