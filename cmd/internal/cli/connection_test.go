package cli_test

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
)

func TestConnFlagsStandForTheirVariables(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("s3cret\r\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		environ []string
		want    string // the connection's String, or the error
	}{
		{"variables alone", nil, []string{"KAFKA_BROKERS=k:9092", "KAFKA_SASL_MECHANISM=PLAIN", "KAFKA_SASL_USERNAME=u", "KAFKA_SASL_PASSWORD=p"},
			"k:9092 (plaintext, SASL PLAIN as u)"},
		{"-brokers drops spaces and empty entries", []string{"-brokers", " a:1, ,b:2,"}, nil, "a:1,b:2 (plaintext, no SASL)"},
		{"-brokers wins over KAFKA_BROKERS", []string{"-brokers", "a:1"}, []string{"KAFKA_BROKERS=k:9092"}, "a:1 (plaintext"},
		{"-tls-insecure-skip-verify implies -tls", []string{"-brokers", "a:1", "-tls-insecure-skip-verify"}, nil, "a:1 (TLS without certificate verification, no SASL)"},
		{"-tls=false wins over KAFKA_TLS", []string{"-tls=false"}, []string{"KAFKA_BROKERS=a:1", "KAFKA_TLS=true"}, "a:1 (plaintext, no SASL)"},
		{"-sasl-user replaces KAFKA_SASL_USERNAME only", []string{"-sasl-user", "v"},
			[]string{"KAFKA_BROKERS=a:1", "KAFKA_SASL_MECHANISM=SCRAM-SHA-256", "KAFKA_SASL_USERNAME=u", "KAFKA_SASL_PASSWORD=p"}, "SASL SCRAM-SHA-256 as v"},
		{"the password file's first line", []string{"-sasl-mechanism", "PLAIN", "-sasl-user", "u", "-sasl-password-file", pw}, []string{"KAFKA_BROKERS=a:1"},
			"SASL PLAIN as u"},
		{"no brokers", nil, nil, "no brokers: give -brokers host:port or set KAFKA_BROKERS"},
		{"blank -brokers", []string{"-brokers", " , "}, []string{"KAFKA_BROKERS=k:9092"}, "no brokers: give -brokers host:port"},
		{"an empty flag", []string{"-tls-server-name", " "}, []string{"KAFKA_BROKERS=a:1"}, "-tls-server-name is empty"},
		{"a malformed broker", []string{"-brokers", "kafka"}, nil, `missing port in address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			f := cli.RegisterConnFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			conn, err := f.Connection(tt.environ)
			got := ""
			if err != nil {
				got = err.Error()
				if !errors.As(err, new(cli.UsageError)) {
					t.Errorf("error %v is not a usage error", err)
				}
			} else {
				got = conn.String()
			}
			if !strings.Contains(got, tt.want) || strings.Contains(got, "s3cret") {
				t.Errorf("got %q, want %q (and no password)", got, tt.want)
			}
		})
	}
}
