package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// The dev broker speaks plaintext without SASL. With security variables in
// its shell (likely the service's too), the banner says to unset them, and
// its own tail ignores them: they describe another cluster.
func TestSecurityVariablesAreForAnotherCluster(t *testing.T) {
	t.Setenv("KAFKA_TLS", "true")
	t.Setenv("KAFKA_TLS_CA_FILE", "/nonexistent/ca.pem")
	t.Setenv("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
	t.Setenv("KAFKA_TOPIC", "orders") // not about security: not listed
	brokers, out, _ := devBroker(t)
	out.WaitFor(t, regexp.MustCompile(`(?m)^    unset KAFKA_SASL_MECHANISM KAFKA_TLS KAFKA_TLS_CA_FILE    # this broker speaks plaintext, without SASL$`), 20*time.Second)

	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	value := fmt.Sprintf(`{"source":"t","logging_topic":"logging","date":%q,"method":"GET","path":"/plain","status":200,"request_time":1,"lines":[],"dropped_lines":0}`,
		time.Now().UTC().Format(time.RFC3339Nano))
	if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: "logging", Value: []byte(value)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	out.WaitFor(t, regexp.MustCompile(`GET /plain`), 20*time.Second)
	if strings.Contains(out.String(), "KAFKA_TOPIC") {
		t.Errorf("banner lists KAFKA_TOPIC, which is not about security:\n%s", out.String())
	}
}

func TestNoUnsetLineWithoutSecurityVariables(t *testing.T) {
	for _, name := range securityVariables(nil) {
		t.Fatalf("securityVariables(nil) = %q", name)
	}
	var b strings.Builder
	printUnset(&b, []string{"KAFKA_BROKERS=127.0.0.1:9092", "KAFKA_TLS=", "HOME=/root"})
	if b.Len() > 0 {
		t.Errorf("printUnset wrote %q for an environment without security variables", b.String())
	}
}
