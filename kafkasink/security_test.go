package kafkasink_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log"
	"math/big"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// The SASL users every secured test cluster knows.
const (
	plainUser, plainPass   = "plain-user", "plain-secret"
	scram256User, scram256 = "scram256-user", "scram256-secret"
	scram512User, scram512 = "scram512-user", "scram512-secret"
)

func saslUsers() []kfake.Opt {
	return []kfake.Opt{
		kfake.EnableSASL(),
		kfake.Superuser("PLAIN", plainUser, plainPass),
		kfake.Superuser("SCRAM-SHA-256", scram256User, scram256),
		kfake.Superuser("SCRAM-SHA-512", scram512User, scram512),
	}
}

func TestSecureConnectionsDeliver(t *testing.T) {
	pki := newTestPKI(t)
	tlsBroker := kfake.TLS(pki.serverConfig(false))
	mtlsBroker := kfake.TLS(pki.serverConfig(true))
	tests := []struct {
		name     string
		cluster  []kfake.Opt
		opts     []kafkasink.Option // besides the brokers, unless env gives them
		env      map[string]string  // $CA, $CERT and $KEY name pki's files
		consumer []kgo.Opt          // how the test reads the message back
	}{
		{
			name:     "TLS with WithTLS",
			cluster:  []kfake.Opt{tlsBroker},
			opts:     []kafkasink.Option{kafkasink.WithTLS(&tls.Config{RootCAs: pki.roots})},
			consumer: []kgo.Opt{pki.dial()},
		},
		{
			name:     "TLS from the environment",
			cluster:  []kfake.Opt{tlsBroker},
			env:      map[string]string{"KAFKA_TLS": "true", "KAFKA_TLS_CA_FILE": "$CA"},
			consumer: []kgo.Opt{pki.dial()},
		},
		{
			name:     "mutual TLS with WithTLS",
			cluster:  []kfake.Opt{mtlsBroker},
			opts:     []kafkasink.Option{kafkasink.WithTLS(&tls.Config{RootCAs: pki.roots, Certificates: []tls.Certificate{pki.client}})},
			consumer: []kgo.Opt{pki.dialWithClientCert()},
		},
		{
			name:     "mutual TLS from the environment",
			cluster:  []kfake.Opt{mtlsBroker},
			env:      map[string]string{"KAFKA_TLS": "1", "KAFKA_TLS_CA_FILE": "$CA", "KAFKA_TLS_CERT_FILE": "$CERT", "KAFKA_TLS_KEY_FILE": "$KEY", "KAFKA_TLS_SERVER_NAME": "localhost"},
			consumer: []kgo.Opt{pki.dialWithClientCert()},
		},
		{
			name:     "SASL PLAIN",
			cluster:  saslUsers(),
			opts:     []kafkasink.Option{kafkasink.WithSASLPlain(plainUser, plainPass)},
			consumer: []kgo.Opt{kgo.SASL(plain.Auth{User: plainUser, Pass: plainPass}.AsMechanism())},
		},
		{
			name:     "SASL SCRAM-SHA-256",
			cluster:  saslUsers(),
			opts:     []kafkasink.Option{kafkasink.WithSASLScramSHA256(scram256User, scram256)},
			consumer: []kgo.Opt{kgo.SASL(scram.Auth{User: scram256User, Pass: scram256}.AsSha256Mechanism())},
		},
		{
			name:     "SASL SCRAM-SHA-512",
			cluster:  saslUsers(),
			opts:     []kafkasink.Option{kafkasink.WithSASLScramSHA512(scram512User, scram512)},
			consumer: []kgo.Opt{kgo.SASL(scram.Auth{User: scram512User, Pass: scram512}.AsSha512Mechanism())},
		},
		{
			name:     "SASL PLAIN from the environment",
			cluster:  saslUsers(),
			env:      map[string]string{"KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": plainUser, "KAFKA_SASL_PASSWORD": plainPass},
			consumer: []kgo.Opt{kgo.SASL(plain.Auth{User: plainUser, Pass: plainPass}.AsMechanism())},
		},
		{
			name:     "SASL SCRAM-SHA-256 from the environment, mechanism in lower case",
			cluster:  saslUsers(),
			env:      map[string]string{"KAFKA_SASL_MECHANISM": "scram-sha-256", "KAFKA_SASL_USERNAME": scram256User, "KAFKA_SASL_PASSWORD": scram256},
			consumer: []kgo.Opt{kgo.SASL(scram.Auth{User: scram256User, Pass: scram256}.AsSha256Mechanism())},
		},
		{
			name:     "SASL SCRAM-SHA-512 from the environment",
			cluster:  saslUsers(),
			env:      map[string]string{"KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "KAFKA_SASL_USERNAME": scram512User, "KAFKA_SASL_PASSWORD": scram512},
			consumer: []kgo.Opt{kgo.SASL(scram.Auth{User: scram512User, Pass: scram512}.AsSha512Mechanism())},
		},
		{
			name:     "TLS and SCRAM-SHA-512 with options",
			cluster:  append([]kfake.Opt{tlsBroker}, saslUsers()...),
			opts:     []kafkasink.Option{kafkasink.WithTLS(&tls.Config{RootCAs: pki.roots}), kafkasink.WithSASLScramSHA512(scram512User, scram512)},
			consumer: []kgo.Opt{pki.dial(), kgo.SASL(scram.Auth{User: scram512User, Pass: scram512}.AsSha512Mechanism())},
		},
		{
			name:    "TLS and PLAIN, brokers included, from the environment only",
			cluster: append([]kfake.Opt{tlsBroker}, saslUsers()...),
			env: map[string]string{
				"KAFKA_BROKERS": "$BROKERS",
				"KAFKA_TLS":     "TRUE", "KAFKA_TLS_CA_FILE": "$CA",
				"KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": plainUser, "KAFKA_SASL_PASSWORD": plainPass,
			},
			consumer: []kgo.Opt{pki.dial(), kgo.SASL(plain.Auth{User: plainUser, Pass: plainPass}.AsMechanism())},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seeds := otelrelayertest.Cluster(t, tt.cluster...)
			opts := append([]kafkasink.Option{kafkasink.WithLogger(nil)}, tt.opts...)
			if tt.env["KAFKA_BROKERS"] == "" {
				opts = append(opts, kafkasink.WithBrokers(seeds...))
			}
			setTestEnv(t, tt.env, pki, seeds)
			p := newProducer(t, opts...)

			m := kafkasink.Message{Topic: "secured", Key: []byte("k"), Value: []byte(tt.name)}
			d := newDoneRecorder()
			p.Produce(t.Context(), m, d.done)
			if err := d.wait(t); err != nil {
				t.Fatalf("done(%v), want nil", err)
			}
			assertRecord(t, consumeOne(t, seeds, m.Topic, tt.consumer...), m)
		})
	}
}

func TestSecureConnectionFailuresReachDone(t *testing.T) {
	pki := newTestPKI(t)
	tlsBroker := kfake.TLS(pki.serverConfig(false))
	tests := []struct {
		name    string
		cluster []kfake.Opt
		// kafkaAnswers makes the broker answer a failed SASL authentication
		// with SASL_AUTHENTICATION_FAILED, as Kafka does; kfake closes the
		// connection instead, which leaves only the timeout.
		kafkaAnswers bool
		opts         []kafkasink.Option
		wantText     string           // in done's error, besides the timeout
		wantAlso     func(error) bool // what done's error must also match
	}{
		{name: "wrong PLAIN password", cluster: saslUsers(), opts: []kafkasink.Option{kafkasink.WithSASLPlain(plainUser, "wrong")}},
		{name: "wrong SCRAM-SHA-256 password", cluster: saslUsers(), opts: []kafkasink.Option{kafkasink.WithSASLScramSHA256(scram256User, "wrong")}},
		{name: "unknown SCRAM-SHA-512 user", cluster: saslUsers(), opts: []kafkasink.Option{kafkasink.WithSASLScramSHA512("nobody", scram512)}},
		{
			name: "wrong PLAIN password, broker answering as Kafka does", cluster: saslUsers(), kafkaAnswers: true,
			opts:     []kafkasink.Option{kafkasink.WithSASLPlain(plainUser, "wrong")},
			wantText: "SASL_AUTHENTICATION_FAILED",
			wantAlso: func(err error) bool { return errors.Is(err, kerr.SaslAuthenticationFailed) },
		},
		{name: "SASL missing", cluster: saslUsers(), wantText: "is SASL missing?", wantAlso: isErrorType[*kgo.ErrFirstReadEOF]},
		{name: "TLS missing", cluster: []kfake.Opt{tlsBroker}, wantText: "is TLS missing?", wantAlso: isErrorType[*kgo.ErrFirstReadEOF]},
		{
			name: "TLS with an unknown certificate authority", cluster: []kfake.Opt{tlsBroker},
			opts:     []kafkasink.Option{kafkasink.WithTLS(&tls.Config{})},
			wantText: "certificate signed by unknown authority", wantAlso: isErrorType[x509.UnknownAuthorityError],
		},
		{
			name: "TLS with a server name the certificate does not hold", cluster: []kfake.Opt{tlsBroker},
			opts:     []kafkasink.Option{kafkasink.WithTLS(&tls.Config{RootCAs: pki.roots, ServerName: "other.example"})},
			wantText: "not other.example", wantAlso: isErrorType[x509.HostnameError],
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each case waits out its delivery timeout
			c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation()}, tt.cluster...)...)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			if tt.kafkaAnswers {
				answerSASLFailuresAsKafka(c)
			}
			p := newProducer(t, append([]kafkasink.Option{
				kafkasink.WithBrokers(c.ListenAddrs()...),
				kafkasink.WithLogger(nil),
				kafkasink.WithDeliveryTimeout(time.Second), // franz-go's minimum
			}, tt.opts...)...)

			d := newDoneRecorder()
			p.Produce(t.Context(), kafkasink.Message{Topic: "refused", Value: []byte("v")}, d.done)
			ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
			defer cancel()
			// Flush reports only its context: failures go to done.
			if err := p.Flush(ctx); err != nil {
				t.Fatalf("Flush = %v, want nil once the message failed", err)
			}
			err = d.wait(t)
			if !errors.Is(err, kgo.ErrRecordTimeout) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("done(%v), want errors.Is kgo.ErrRecordTimeout, saying %q", err, tt.wantText)
			}
			if tt.wantAlso != nil && !tt.wantAlso(err) {
				t.Errorf("done(%v) does not carry the expected cause", err)
			}
		})
	}
}

func isErrorType[E error](err error) bool {
	_, ok := errors.AsType[E](err)
	return ok
}

// answerSASLFailuresAsKafka makes c answer a PLAIN authentication with wrong
// credentials the way Kafka does, with SASL_AUTHENTICATION_FAILED and
// Kafka's message; kfake itself closes the connection.
func answerSASLFailuresAsKafka(c *kfake.Cluster) {
	c.ControlKey(int16(kmsg.SASLAuthenticate), func(r kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := r.(*kmsg.SASLAuthenticateRequest)
		if string(req.SASLAuthBytes) == "\x00"+plainUser+"\x00"+plainPass {
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.SASLAuthenticateResponse)
		resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
		msg := "Authentication failed: Invalid username or password"
		resp.ErrorMessage = &msg
		return resp, nil, true
	})
}

func TestWithTLSClonesItsConfig(t *testing.T) {
	pki := newTestPKI(t)
	seeds := otelrelayertest.Cluster(t, kfake.TLS(pki.serverConfig(false)))
	cfg := &tls.Config{RootCAs: pki.roots}
	opt := kafkasink.WithTLS(cfg)
	cfg.RootCAs = x509.NewCertPool() // would fail verification if seen

	p := newProducer(t, kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil), kafkasink.WithoutEnvironment(), opt)
	d := newDoneRecorder()
	p.Produce(t.Context(), kafkasink.Message{Topic: "cloned", Value: []byte("v")}, d.done)
	if err := d.wait(t); err != nil {
		t.Fatalf("done(%v): WithTLS saw a change made to its config after the call", err)
	}
}

func ExampleWithTLS() {
	// SASL_SSL: TLS verified against the system roots, SCRAM-SHA-512.
	p, err := kafkasink.New(
		kafkasink.WithBrokers("kafka-1.example.com:9093", "kafka-2.example.com:9093"),
		kafkasink.WithTLS(&tls.Config{MinVersion: tls.VersionTLS12}),
		kafkasink.WithSASLScramSHA512("orders", os.Getenv("ORDERS_KAFKA_PASSWORD")),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close(context.Background())
}

// consumeOne reads the first record of topic with the consumer options
// (TLS, SASL) a secured cluster needs.
func consumeOne(t *testing.T, seeds []string, topic string, opts ...kgo.Opt) *kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{
		kgo.SeedBrokers(seeds...),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(100 * time.Millisecond),
	}, opts...)...)
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("no record consumed from %s: %v", topic, fetches.Err())
		}
		fetches.EachError(func(topic string, partition int32, err error) {
			t.Fatalf("consuming %s[%d]: %v", topic, partition, err)
		})
		if records := fetches.Records(); len(records) > 0 {
			return records[0]
		}
	}
}

// testPKI is a certificate authority made for one test, with a server
// certificate for the loopback broker and a client certificate.
type testPKI struct {
	roots                       *x509.CertPool
	caPEM                       []byte
	server, client              tls.Certificate
	clientCertPEM, clientKeyPEM []byte
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	caKey := newTestKey(t)
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "otelrelayer test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	issue := func(serial int64, name string, usage x509.ExtKeyUsage) (tls.Certificate, []byte, []byte) {
		key := newTestKey(t)
		template := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: name},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			DNSNames:     []string{"localhost"},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		}
		der, err := x509.CreateCertificate(rand.Reader, template, ca, key.Public(), caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
			pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	}
	pki := &testPKI{
		roots: x509.NewCertPool(),
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
	}
	pki.roots.AddCert(ca)
	pki.server, _, _ = issue(2, "broker", x509.ExtKeyUsageServerAuth)
	pki.client, pki.clientCertPEM, pki.clientKeyPEM = issue(3, "producer", x509.ExtKeyUsageClientAuth)
	return pki
}

func newTestKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// serverConfig is the broker's TLS config; requireClientCert makes it
// mutual TLS.
func (p *testPKI) serverConfig(requireClientCert bool) *tls.Config {
	cfg := &tls.Config{Certificates: []tls.Certificate{p.server}}
	if requireClientCert {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
		cfg.ClientCAs = p.roots
	}
	return cfg
}

func (p *testPKI) dial() kgo.Opt { return kgo.DialTLSConfig(&tls.Config{RootCAs: p.roots}) }

func (p *testPKI) dialWithClientCert() kgo.Opt {
	return kgo.DialTLSConfig(&tls.Config{RootCAs: p.roots, Certificates: []tls.Certificate{p.client}})
}
