package kafkasink_test

import (
	"context"
	"crypto/x509"
	"errors"
	"log"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/testing/testpki"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// testEnviron returns env as "NAME=value" entries, with the values
// replaced as testEnvValue does.
func testEnviron(env map[string]string, pki *testpki.PKI, seeds []string) []string {
	var environ []string
	for name, value := range env {
		environ = append(environ, name+"="+testEnvValue(value, pki, seeds, ","))
	}
	return environ
}

// A consumer made with a Connection's options reads what the producer,
// given the same environment, wrote: one code path for both.
func TestConnectionConnectsAsTheProducerDoes(t *testing.T) {
	pki := testpki.New(t)
	tlsBroker := kfake.TLS(pki.ServerConfig(false))
	tests := []struct {
		name        string
		cluster     []kfake.Opt
		env         map[string]string
		wantString  string
		wantTLS     bool
		wantMechnsm string
	}{
		{"plaintext", nil, map[string]string{"KAFKA_BROKERS": "$BROKERS"}, "(plaintext, no SASL)", false, ""},
		{"TLS with a CA file", []kfake.Opt{tlsBroker}, map[string]string{"KAFKA_BROKERS": "$BROKERS", "KAFKA_TLS": "true", "KAFKA_TLS_CA_FILE": "$CA"}, "(TLS, no SASL)", true, ""},
		{"mutual TLS", []kfake.Opt{kfake.TLS(pki.ServerConfig(true))}, map[string]string{
			"KAFKA_BROKERS": "$BROKERS", "KAFKA_TLS": "1", "KAFKA_TLS_CA_FILE": "$CA", "KAFKA_TLS_CERT_FILE": "$CERT", "KAFKA_TLS_KEY_FILE": "$KEY",
		}, "(TLS, no SASL)", true, ""},
		{"SASL PLAIN", testpki.SASLUsers(), map[string]string{
			"KAFKA_BROKERS": "$BROKERS", "KAFKA_SASL_MECHANISM": "plain", "KAFKA_SASL_USERNAME": testpki.PlainUser, "KAFKA_SASL_PASSWORD": testpki.PlainPass,
		}, "(plaintext, SASL PLAIN as plain-user)", false, "PLAIN"},
		{"SASL SCRAM-SHA-256", testpki.SASLUsers(), map[string]string{
			"KAFKA_BROKERS": "$BROKERS", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-256", "KAFKA_SASL_USERNAME": testpki.Scram256User, "KAFKA_SASL_PASSWORD": testpki.Scram256Pass,
		}, "(plaintext, SASL SCRAM-SHA-256 as scram256-user)", false, "SCRAM-SHA-256"},
		{"SASL_SSL with SCRAM-SHA-512", append([]kfake.Opt{tlsBroker}, testpki.SASLUsers()...), map[string]string{
			"KAFKA_BROKERS": "$BROKERS", "KAFKA_TLS": "true", "KAFKA_TLS_CA_FILE": "$CA",
			"KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "KAFKA_SASL_USERNAME": testpki.Scram512User, "KAFKA_SASL_PASSWORD": testpki.Scram512Pass,
		}, "(TLS, SASL SCRAM-SHA-512 as scram512-user)", true, "SCRAM-SHA-512"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seeds := otelrelayertest.Cluster(t, tt.cluster...)
			env := kafkasink.WithEnvironment(testEnviron(tt.env, pki, seeds))
			conn, err := kafkasink.NewConnection(env)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(conn.Brokers(), seeds) || conn.TLS() != tt.wantTLS || conn.SASLMechanism() != tt.wantMechnsm ||
				conn.String() != strings.Join(seeds, ",")+" "+tt.wantString {
				t.Errorf("connection %v (brokers %q, TLS %v, SASL %q), want %s", conn, conn.Brokers(), conn.TLS(), conn.SASLMechanism(), tt.wantString)
			}
			if strings.Contains(conn.String(), "secret") {
				t.Errorf("String() = %q shows the password", conn)
			}
			ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
			defer cancel()
			if err := conn.Ping(ctx); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			p := newProducer(t, env, kafkasink.WithLogger(nil))
			m := kafkasink.Message{Topic: "conn", Value: []byte(`{"n":1}`)}
			d := newDoneRecorder()
			p.Produce(t.Context(), m, d.done)
			if err := d.wait(t); err != nil {
				t.Fatalf("done(%v)", err)
			}
			assertRecord(t, consumeOne(t, seeds, m.Topic, conn.ClientOptions()...), m)
		})
	}
}

func TestPingSaysWhyNoBrokerAnswered(t *testing.T) {
	pki, otherPKI := testpki.New(t), testpki.New(t)
	tlsBroker := kfake.TLS(pki.ServerConfig(false))
	sasl := func(mechanism, user, pass string) map[string]string {
		return map[string]string{"KAFKA_SASL_MECHANISM": mechanism, "KAFKA_SASL_USERNAME": user, "KAFKA_SASL_PASSWORD": pass}
	}
	tests := []struct {
		name         string
		cluster      []kfake.Opt
		kafkaAnswers bool // the broker refuses credentials as Kafka does; kfake closes
		env          map[string]string
		caFile       string // KAFKA_TLS_CA_FILE, with KAFKA_TLS=true
		wantText     string
		wantAlso     func(error) bool
	}{
		{name: "wrong PLAIN password", cluster: testpki.SASLUsers(), env: sasl("PLAIN", testpki.PlainUser, "wrong"),
			wantText: `during SASL PLAIN authentication as "plain-user": wrong user or password`},
		{name: "wrong SCRAM-SHA-256 password", cluster: testpki.SASLUsers(), env: sasl("SCRAM-SHA-256", testpki.Scram256User, "wrong"),
			wantText: `during SASL SCRAM-SHA-256 authentication as "scram256-user": wrong user or password`},
		{name: "wrong SCRAM-SHA-512 password", cluster: testpki.SASLUsers(), env: sasl("SCRAM-SHA-512", testpki.Scram512User, "wrong"),
			wantText: `during SASL SCRAM-SHA-512 authentication as "scram512-user": wrong user or password`},
		{name: "wrong PLAIN password, refused as Kafka does", cluster: testpki.SASLUsers(), kafkaAnswers: true, env: sasl("PLAIN", testpki.PlainUser, "wrong"),
			wantText: `refused SASL PLAIN authentication as "plain-user"`, wantAlso: func(err error) bool { return errors.Is(err, kerr.SaslAuthenticationFailed) }},
		{name: "SASL missing", cluster: testpki.SASLUsers(), wantText: "is SASL missing?", wantAlso: isErrorType[*kgo.ErrFirstReadEOF]},
		{name: "TLS missing", cluster: []kfake.Opt{tlsBroker}, wantText: "is TLS missing?", wantAlso: isErrorType[*kgo.ErrFirstReadEOF]},
		{name: "a CA that did not sign the broker's certificate", cluster: []kfake.Opt{tlsBroker}, caFile: otherPKI.CAFile,
			wantText: "signed by an authority this client does not trust (give the CA certificate that signed it, PEM, with KAFKA_TLS_CA_FILE)",
			wantAlso: isErrorType[x509.UnknownAuthorityError]},
		{name: "a server name the certificate does not hold", cluster: []kfake.Opt{tlsBroker}, caFile: pki.CAFile,
			env:      map[string]string{"KAFKA_TLS_SERVER_NAME": "other.example"},
			wantText: "set KAFKA_TLS_SERVER_NAME to a name it holds", wantAlso: isErrorType[x509.HostnameError]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, tt.cluster...)...)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			if tt.kafkaAnswers {
				answerSASLFailuresAsKafka(c)
			}
			environ := testEnviron(tt.env, pki, nil)
			if tt.caFile != "" {
				environ = append(environ, "KAFKA_TLS=true", "KAFKA_TLS_CA_FILE="+tt.caFile)
			}
			conn, err := kafkasink.NewConnection(kafkasink.WithBrokers(c.ListenAddrs()...), kafkasink.WithEnvironment(environ))
			if err != nil {
				t.Fatal(err)
			}
			// Refusals end Ping at once; the guard only keeps a broken test from hanging.
			ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
			defer cancel()
			err = conn.Ping(ctx)
			if !errors.Is(err, kafkasink.ErrConnection) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("Ping = %v, want ErrConnection saying %q", err, tt.wantText)
			}
			if tt.wantAlso != nil && !tt.wantAlso(err) {
				t.Errorf("Ping = %v does not carry the expected cause", err)
			}
			if ctx.Err() != nil {
				t.Errorf("Ping waited for its context: a refusal should end it")
			}
			if strings.Contains(err.Error(), "wrong\"") || strings.Contains(err.Error(), "secret") {
				t.Errorf("Ping's error shows a password: %v", err)
			}
		})
	}
}

func TestPingWithoutBrokerEndsWithItsContext(t *testing.T) {
	conn, err := kafkasink.NewConnection(kafkasink.WithBrokers("127.0.0.1:1"), kafkasink.WithoutEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	if err := conn.Ping(ctx); !errors.Is(err, kafkasink.ErrConnection) || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("Ping = %v, want ErrConnection naming the broker", err)
	}
}

// A variable that asks for security in a spelling kafkasink does not read
// stops New and NewConnection: ignoring it would connect in plaintext.
func TestUnreadSecurityVariablesAreRefused(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    string // "" for no error
	}{
		{"another tool's protocol", []string{"KAFKA_SECURITY_PROTOCOL=SASL_SSL"}, "KAFKA_SECURITY_PROTOCOL set, but not a variable otelrelayer reads"},
		{"a JAAS config", []string{"KAFKA_SASL_JAAS_CONFIG=org.apache..."}, "KAFKA_SASL_JAAS_CONFIG set"},
		{"OAUTHBEARER", []string{"KAFKA_SASL_OAUTHBEARER_TOKEN=t"}, "KAFKA_SASL_OAUTHBEARER_TOKEN set"},
		{"a misspelt CA variable", []string{"KAFKA_TLS=true", "KAFKA_TLS_CA=/ca.pem"}, "KAFKA_TLS_CA set"},
		{"librdkafka's spelling", []string{"KAFKA_SSL_CA_LOCATION=/ca.pem", "KAFKA_SASL_USER=u"}, "KAFKA_SASL_USER, KAFKA_SSL_CA_LOCATION set"},
		{"a service's own variable", []string{"KAFKA_TOPIC=orders", "KAFKA_GROUP_ID=g"}, ""},
		{"set empty", []string{"KAFKA_SECURITY_PROTOCOL="}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := kafkasink.WithEnvironment(append([]string{"KAFKA_BROKERS=127.0.0.1:9092"}, tt.environ...))
			_, connErr := kafkasink.NewConnection(env)
			p, newErr := kafkasink.New(env, kafkasink.WithLogger(nil))
			if p != nil {
				p.Close(t.Context())
			}
			for name, err := range map[string]error{"NewConnection": connErr, "New": newErr} {
				switch {
				case tt.want == "" && err != nil:
					t.Errorf("%s: %v, want no error", name, err)
				case tt.want != "" && (!errors.Is(err, kafkasink.ErrConfiguration) || !strings.Contains(err.Error(), tt.want)):
					t.Errorf("%s: %v, want ErrConfiguration saying %q", name, err, tt.want)
				}
			}
		})
	}
}

func TestWithEnvironment(t *testing.T) {
	t.Setenv("KAFKA_BROKERS", "127.0.0.1:7")
	tests := []struct {
		name string
		opts []kafkasink.Option
		want string // brokers, or the error
	}{
		{"the process environment by default", nil, "127.0.0.1:7"},
		{"instead of the process environment", []kafkasink.Option{kafkasink.WithEnvironment([]string{"KAFKA_BROKERS=127.0.0.1:8"})}, "127.0.0.1:8"},
		{"the last entry of a name wins", []kafkasink.Option{kafkasink.WithEnvironment([]string{"KAFKA_BROKERS=127.0.0.1:8", "KAFKA_BROKERS=127.0.0.1:9"})}, "127.0.0.1:9"},
		{"nil reads the process environment", []kafkasink.Option{kafkasink.WithEnvironment(nil)}, "127.0.0.1:7"},
		{"an empty one has no brokers", []kafkasink.Option{kafkasink.WithEnvironment([]string{})}, "no brokers given"},
		{"WithoutEnvironment wins", []kafkasink.Option{kafkasink.WithEnvironment([]string{"KAFKA_BROKERS=127.0.0.1:8"}), kafkasink.WithoutEnvironment()}, "KAFKA_BROKERS is not read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := kafkasink.NewConnection(tt.opts...)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = strings.Join(conn.Brokers(), ",")
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// A consumer beside the producer connects as the producer does: brokers,
// TLS and SASL from the same options and KAFKA_* variables.
func ExampleNewConnection() {
	conn, err := kafkasink.NewConnection() // KAFKA_BROKERS, KAFKA_TLS, KAFKA_SASL_*...
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := conn.Ping(ctx); err != nil {
		log.Fatal(err) // e.g. "...: the broker refused SASL SCRAM-SHA-512 authentication as "orders" ..."
	}
	cl, err := kgo.NewClient(append(conn.ClientOptions(), kgo.ConsumeTopics("order_created"))...)
	if err != nil {
		log.Fatal(err)
	}
	defer cl.Close()
	log.Printf("reading order_created from %s", conn)
}
