package kafkasink_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// Issue 11, point 11: every malformed seed broker address is refused by New
// with ErrConfiguration, naming the variable or option and the entry; the
// valid forms are accepted. New does not connect, so the valid ones need no
// broker.
func TestBrokerAddresses(t *testing.T) {
	invalid := []string{
		"garbage",                // no port
		"not a host",             // spaces, no port
		"not a host:9092",        // spaces in the host
		"http://kafka:9092",      // a URL
		"kafka:9092;kafka2:9092", // semicolons instead of commas
		"host:99999",             // port out of range
		"host:0",                 // port out of range
		"::::",                   // nothing
		"host:notaport",          // port not a number
		"host:",                  // empty port
		":9092",                  // empty host
		"::1:9092",               // IPv6 without brackets
		"[kafka]:9092",           // brackets around a name
		"-kafka:9092",            // a label starting with '-'
		"kafka..local:9092",      // an empty label
		"1.2.3.4.5:9092",         // neither IPv4 nor a name (a numeric last label)
	}
	valid := []struct{ env string }{
		{"kafka:9092"},
		{"kafka-1.prod.example.com:9093"},
		{"KAFKA_1:9092"}, // underscores: Docker service names
		{"localhost:1"},
		{"127.0.0.1:9092"},
		{"[::1]:9092"},
		{"[fe80::1%eth0]:9092"},
		{"kafka1:9092,kafka2:9092,10.0.0.3:9092"},
		{" kafka1:9092 , kafka2:9092 "},
	}
	for _, entry := range invalid {
		t.Run("KAFKA_BROKERS="+entry, func(t *testing.T) {
			t.Setenv("KAFKA_BROKERS", "kafka:9092,"+entry)
			_, err := kafkasink.New(kafkasink.WithLogger(nil))
			wantRefused(t, err, "KAFKA_BROKERS", entry)
		})
		t.Run("WithBrokers/"+entry, func(t *testing.T) {
			t.Setenv("KAFKA_BROKERS", "")
			_, err := kafkasink.New(kafkasink.WithBrokers("kafka:9092", entry), kafkasink.WithLogger(nil))
			wantRefused(t, err, "WithBrokers", entry)
		})
	}
	for _, tt := range valid {
		t.Run("KAFKA_BROKERS="+tt.env, func(t *testing.T) {
			t.Setenv("KAFKA_BROKERS", tt.env)
			p, err := kafkasink.New(kafkasink.WithLogger(nil))
			if err != nil {
				t.Fatal(err)
			}
			_ = p.Close(context.Background())
		})
		t.Run("WithBrokers/"+tt.env, func(t *testing.T) {
			t.Setenv("KAFKA_BROKERS", "")
			var entries []string
			for _, e := range strings.Split(tt.env, ",") {
				entries = append(entries, strings.TrimSpace(e))
			}
			p, err := kafkasink.New(kafkasink.WithBrokers(entries...), kafkasink.WithLogger(nil))
			if err != nil {
				t.Fatal(err)
			}
			_ = p.Close(context.Background())
		})
	}
}

func wantRefused(t *testing.T, err error, source, entry string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s entry %q accepted", source, entry)
	}
	if !errors.Is(err, kafkasink.ErrConfiguration) {
		t.Errorf("error %q does not wrap ErrConfiguration", err)
	}
	if !strings.Contains(err.Error(), source) || !strings.Contains(err.Error(), strings.TrimSpace(entry)) {
		t.Errorf("error %q does not name %s and the entry %q", err, source, entry)
	}
}

// Issue 22, point 7: an entry repeated in KAFKA_BROKERS or WithBrokers (" , "
// is two empty entries) is refused with one message that counts it, not
// with the same message once per occurrence.
func TestRepeatedInvalidBrokerIsReportedOnce(t *testing.T) {
	tests := []struct {
		name     string
		env      string
		opts     []kafkasink.Option
		wantOnce string
	}{
		{"KAFKA_BROKERS of two empty entries", " , ", nil, `KAFKA_BROKERS entry "" (2 times): empty broker address`},
		{"KAFKA_BROKERS with a bad entry thrice", "kafka:9092,bad,bad,bad", nil, `KAFKA_BROKERS entry "bad" (3 times):`},
		{"WithBrokers with a bad entry twice", "", []kafkasink.Option{kafkasink.WithBrokers("bad", "kafka:9092", "bad")}, `WithBrokers entry "bad" (2 times):`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KAFKA_BROKERS", tt.env)
			_, err := kafkasink.New(append(tt.opts, kafkasink.WithLogger(nil))...)
			if !errors.Is(err, kafkasink.ErrConfiguration) {
				t.Fatalf("New: %v, want ErrConfiguration", err)
			}
			if n := strings.Count(err.Error(), tt.wantOnce); n != 1 {
				t.Errorf("%q appears %d times in %q, want once", tt.wantOnce, n, err)
			}
			if n := strings.Count(err.Error(), "want host:port"); n != 1 {
				t.Errorf("the address rule appears %d times in %q, want once", n, err)
			}
		})
	}
}
