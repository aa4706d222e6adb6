package kafkasink_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log"
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

	"github.com/otelrelayer/otelrelayer/internal/testing/testpki"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

func TestSecureConnectionsDeliver(t *testing.T) {
	pki := testpki.New(t)
	tlsBroker := kfake.TLS(pki.ServerConfig(false))
	mtlsBroker := kfake.TLS(pki.ServerConfig(true))
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
			opts:     []kafkasink.Option{kafkasink.WithTLS(&tls.Config{RootCAs: pki.ClientConfig().RootCAs})},
			consumer: []kgo.Opt{dialTLS(pki)},
		},
		{
			name:     "TLS from the environment",
			cluster:  []kfake.Opt{tlsBroker},
			env:      map[string]string{"KAFKA_TLS": "true", "KAFKA_TLS_CA_FILE": "$CA"},
			consumer: []kgo.Opt{dialTLS(pki)},
		},
		{
			name:     "mutual TLS with WithTLS",
			cluster:  []kfake.Opt{mtlsBroker},
			opts:     []kafkasink.Option{kafkasink.WithTLS(pki.ClientConfig())},
			consumer: []kgo.Opt{kgo.DialTLSConfig(pki.ClientConfig())},
		},
		{
			name:     "mutual TLS from the environment",
			cluster:  []kfake.Opt{mtlsBroker},
			env:      map[string]string{"KAFKA_TLS": "1", "KAFKA_TLS_CA_FILE": "$CA", "KAFKA_TLS_CERT_FILE": "$CERT", "KAFKA_TLS_KEY_FILE": "$KEY", "KAFKA_TLS_SERVER_NAME": "localhost"},
			consumer: []kgo.Opt{kgo.DialTLSConfig(pki.ClientConfig())},
		},
		{
			name:     "SASL PLAIN",
			cluster:  testpki.SASLUsers(),
			opts:     []kafkasink.Option{kafkasink.WithSASLPlain(testpki.PlainUser, testpki.PlainPass)},
			consumer: []kgo.Opt{kgo.SASL(plain.Auth{User: testpki.PlainUser, Pass: testpki.PlainPass}.AsMechanism())},
		},
		{
			name:     "SASL SCRAM-SHA-256",
			cluster:  testpki.SASLUsers(),
			opts:     []kafkasink.Option{kafkasink.WithSASLScramSHA256(testpki.Scram256User, testpki.Scram256Pass)},
			consumer: []kgo.Opt{kgo.SASL(scram.Auth{User: testpki.Scram256User, Pass: testpki.Scram256Pass}.AsSha256Mechanism())},
		},
		{
			name:     "SASL SCRAM-SHA-512",
			cluster:  testpki.SASLUsers(),
			opts:     []kafkasink.Option{kafkasink.WithSASLScramSHA512(testpki.Scram512User, testpki.Scram512Pass)},
			consumer: []kgo.Opt{kgo.SASL(scram.Auth{User: testpki.Scram512User, Pass: testpki.Scram512Pass}.AsSha512Mechanism())},
		},
		{
			name:     "SASL PLAIN from the environment",
			cluster:  testpki.SASLUsers(),
			env:      map[string]string{"KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": testpki.PlainUser, "KAFKA_SASL_PASSWORD": testpki.PlainPass},
			consumer: []kgo.Opt{kgo.SASL(plain.Auth{User: testpki.PlainUser, Pass: testpki.PlainPass}.AsMechanism())},
		},
		{
			name:     "SASL SCRAM-SHA-256 from the environment, mechanism in lower case",
			cluster:  testpki.SASLUsers(),
			env:      map[string]string{"KAFKA_SASL_MECHANISM": "scram-sha-256", "KAFKA_SASL_USERNAME": testpki.Scram256User, "KAFKA_SASL_PASSWORD": testpki.Scram256Pass},
			consumer: []kgo.Opt{kgo.SASL(scram.Auth{User: testpki.Scram256User, Pass: testpki.Scram256Pass}.AsSha256Mechanism())},
		},
		{
			name:     "SASL SCRAM-SHA-512 from the environment",
			cluster:  testpki.SASLUsers(),
			env:      map[string]string{"KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "KAFKA_SASL_USERNAME": testpki.Scram512User, "KAFKA_SASL_PASSWORD": testpki.Scram512Pass},
			consumer: []kgo.Opt{kgo.SASL(scram.Auth{User: testpki.Scram512User, Pass: testpki.Scram512Pass}.AsSha512Mechanism())},
		},
		{
			name:     "TLS and SCRAM-SHA-512 with options",
			cluster:  append([]kfake.Opt{tlsBroker}, testpki.SASLUsers()...),
			opts:     []kafkasink.Option{kafkasink.WithTLS(&tls.Config{RootCAs: pki.ClientConfig().RootCAs}), kafkasink.WithSASLScramSHA512(testpki.Scram512User, testpki.Scram512Pass)},
			consumer: []kgo.Opt{dialTLS(pki), kgo.SASL(scram.Auth{User: testpki.Scram512User, Pass: testpki.Scram512Pass}.AsSha512Mechanism())},
		},
		{
			name:    "TLS and PLAIN, brokers included, from the environment only",
			cluster: append([]kfake.Opt{tlsBroker}, testpki.SASLUsers()...),
			env: map[string]string{
				"KAFKA_BROKERS": "$BROKERS",
				"KAFKA_TLS":     "TRUE", "KAFKA_TLS_CA_FILE": "$CA",
				"KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": testpki.PlainUser, "KAFKA_SASL_PASSWORD": testpki.PlainPass,
			},
			consumer: []kgo.Opt{dialTLS(pki), kgo.SASL(plain.Auth{User: testpki.PlainUser, Pass: testpki.PlainPass}.AsMechanism())},
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
	pki := testpki.New(t)
	tlsBroker := kfake.TLS(pki.ServerConfig(false))
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
		{name: "wrong PLAIN password", cluster: testpki.SASLUsers(), opts: []kafkasink.Option{kafkasink.WithSASLPlain(testpki.PlainUser, "wrong")}},
		{name: "wrong SCRAM-SHA-256 password", cluster: testpki.SASLUsers(), opts: []kafkasink.Option{kafkasink.WithSASLScramSHA256(testpki.Scram256User, "wrong")}},
		{name: "unknown SCRAM-SHA-512 user", cluster: testpki.SASLUsers(), opts: []kafkasink.Option{kafkasink.WithSASLScramSHA512("nobody", testpki.Scram512Pass)}},
		{
			name: "wrong PLAIN password, broker answering as Kafka does", cluster: testpki.SASLUsers(), kafkaAnswers: true,
			opts:     []kafkasink.Option{kafkasink.WithSASLPlain(testpki.PlainUser, "wrong")},
			wantText: "SASL_AUTHENTICATION_FAILED",
			wantAlso: func(err error) bool { return errors.Is(err, kerr.SaslAuthenticationFailed) },
		},
		{name: "SASL missing", cluster: testpki.SASLUsers(), wantText: "is SASL missing?", wantAlso: isErrorType[*kgo.ErrFirstReadEOF]},
		{name: "TLS missing", cluster: []kfake.Opt{tlsBroker}, wantText: "is TLS missing?", wantAlso: isErrorType[*kgo.ErrFirstReadEOF]},
		{
			name: "TLS with an unknown certificate authority", cluster: []kfake.Opt{tlsBroker},
			opts:     []kafkasink.Option{kafkasink.WithTLS(&tls.Config{})},
			wantText: "certificate signed by unknown authority", wantAlso: isErrorType[x509.UnknownAuthorityError],
		},
		{
			name: "TLS with a server name the certificate does not hold", cluster: []kfake.Opt{tlsBroker},
			opts:     []kafkasink.Option{kafkasink.WithTLS(&tls.Config{RootCAs: pki.ClientConfig().RootCAs, ServerName: "other.example"})},
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
		if string(req.SASLAuthBytes) == "\x00"+testpki.PlainUser+"\x00"+testpki.PlainPass {
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
	pki := testpki.New(t)
	seeds := otelrelayertest.Cluster(t, kfake.TLS(pki.ServerConfig(false)))
	cfg := &tls.Config{RootCAs: pki.ClientConfig().RootCAs}
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

// dialTLS is a consumer's TLS that trusts pki's CA and presents no
// certificate.
func dialTLS(pki *testpki.PKI) kgo.Opt {
	return kgo.DialTLSConfig(&tls.Config{RootCAs: pki.ClientConfig().RootCAs})
}
