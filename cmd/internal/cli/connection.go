package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// connFlag is a flag that stands for one of kafkasink's KAFKA_* variables.
type connFlag struct {
	name, variable string
	value          *string
	boolean        *bool // -tls and -tls-insecure-skip-verify
}

// ConnFlags are the connection flags every command that reads a cluster
// shares: each stands for one KAFKA_* variable of kafkasink and, given,
// overrides it; the variables fill in the rest. kafkasink resolves both,
// with the producer's rules and errors.
type ConnFlags struct {
	fs           *flag.FlagSet
	flags        []connFlag
	passwordFile *string
	named        []string // "-flag stands for VARIABLE" of the flags given
}

// RegisterConnFlags defines the connection flags on fs: -brokers, -tls,
// -tls-ca, -tls-cert, -tls-key, -tls-server-name,
// -tls-insecure-skip-verify, -sasl-mechanism, -sasl-user and
// -sasl-password-file. There is no flag for the password itself: a
// command line is seen by every user of the machine (ps) and kept in shell
// histories.
func RegisterConnFlags(fs *flag.FlagSet) *ConnFlags {
	f := &ConnFlags{fs: fs}
	str := func(name, variable, usage string) {
		f.flags = append(f.flags, connFlag{name: name, variable: variable,
			value: fs.String(name, "", usage+" (default $"+variable+")")})
	}
	boolean := func(name, variable, usage string) {
		f.flags = append(f.flags, connFlag{name: name, variable: variable,
			boolean: fs.Bool(name, false, usage+" (default $"+variable+")")})
	}
	str("brokers", "KAFKA_BROKERS", "Kafka seed brokers, a comma-separated `host:port` list")
	boolean("tls", "KAFKA_TLS", "connect with TLS, verifying the brokers against the system roots or -tls-ca; -tls=false connects in plaintext")
	str("tls-ca", "KAFKA_TLS_CA_FILE", "PEM `file` of the CA certificates that sign the brokers' certificates, instead of the system roots; implies -tls")
	str("tls-cert", "KAFKA_TLS_CERT_FILE", "PEM `file` of a client certificate, for mutual TLS (with -tls-key); implies -tls")
	str("tls-key", "KAFKA_TLS_KEY_FILE", "PEM `file` of the client certificate's private key; implies -tls")
	str("tls-server-name", "KAFKA_TLS_SERVER_NAME", "verify the brokers' certificates for this `name` instead of each broker's host; implies -tls")
	boolean("tls-insecure-skip-verify", "KAFKA_TLS_INSECURE_SKIP_VERIFY", "accept any broker certificate (testing only); implies -tls")
	str("sasl-mechanism", "KAFKA_SASL_MECHANISM", "SASL `mechanism`: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	str("sasl-user", "KAFKA_SASL_USERNAME", "SASL `user`")
	f.passwordFile = fs.String("sasl-password-file", "", "read the SASL password from `file` (its first line) instead of $KAFKA_SASL_PASSWORD; "+
		"there is no flag for the password itself, as command lines are visible to every user of the machine")
	return f
}

// Connection returns the connection the flags and environ (os.Environ's
// "NAME=value" entries) describe: each flag given replaces its variable,
// and a -tls-* flag given without -tls turns TLS on. A flag or variable
// that is wrong, or a variable that asks for security kafkasink does not
// read, is a UsageError naming it; there is no fallback to plaintext.
func (f *ConnFlags) Connection(environ []string) (*kafkasink.Connection, error) {
	given := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	env := append([]string{}, environ...) // never nil: nil would read the process's
	f.named = nil
	tlsImplied := false
	for _, fl := range f.flags {
		if !given[fl.name] {
			continue
		}
		f.named = append(f.named, "-"+fl.name+" stands for "+fl.variable)
		var value string
		switch {
		case fl.boolean != nil:
			value = strconv.FormatBool(*fl.boolean)
		case fl.name == "brokers":
			// Spaces and empty entries ("a:1,") are dropped, as the tools
			// always did.
			if value = strings.Join(Split(*fl.value), ","); value == "" {
				return nil, UsageError{"no brokers: give -brokers host:port or set KAFKA_BROKERS"}
			}
		default:
			if value = strings.TrimSpace(*fl.value); value == "" {
				return nil, Usagef("-%s is empty: give a value, or leave the flag out to use $%s", fl.name, fl.variable)
			}
		}
		env = append(env, fl.variable+"="+value)
		tlsImplied = tlsImplied || strings.HasPrefix(fl.name, "tls-")
	}
	if tlsImplied && !given["tls"] {
		env = append(env, "KAFKA_TLS=true")
	}
	if given["sasl-password-file"] {
		pass, err := readPassword(*f.passwordFile)
		if err != nil {
			return nil, err
		}
		f.named = append(f.named, "-sasl-password-file stands for KAFKA_SASL_PASSWORD")
		env = append(env, "KAFKA_SASL_PASSWORD="+pass)
	}
	conn, err := kafkasink.NewConnection(kafkasink.WithEnvironment(env))
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), kafkasink.ErrConfiguration.Error()+": ")
		if strings.Contains(msg, "no brokers given") {
			return nil, UsageError{"no brokers: give -brokers host:port or set KAFKA_BROKERS"}
		}
		return nil, UsageError{f.note(msg)}
	}
	return conn, nil
}

// Ping checks that a broker of conn answers within timeout: a wrong
// certificate or password fails here, at once and with its reason, rather
// than as a timeout of the first read. Its error names the flags given,
// as kafkasink's name their variables.
func (f *ConnFlags) Ping(ctx context.Context, conn *kafkasink.Connection, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := conn.Ping(ctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (no answer within %v)", err, timeout)
		}
		if len(f.named) > 0 {
			return fmt.Errorf("%w (%s)", err, strings.Join(f.named, ", "))
		}
		return err
	}
	return nil
}

// note adds to msg which flags stand for which variables.
func (f *ConnFlags) note(msg string) string {
	if len(f.named) == 0 {
		return msg
	}
	return msg + " (" + strings.Join(f.named, ", ") + ")"
}

// maxPasswordLine bounds the first line of -sasl-password-file read.
const maxPasswordLine = 64 << 10

// readPassword returns the first line of path, without its line ending.
// It reads no further than that line (at most maxPasswordLine bytes): the
// file may be a pipe kept open, or a device that never ends.
func readPassword(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", Usagef("-sasl-password-file: %v", unwrapPath(err))
	}
	defer f.Close()
	line, err := bufio.NewReader(io.LimitReader(f, maxPasswordLine+1)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", Usagef("-sasl-password-file: %v", unwrapPath(err))
	}
	if len(line) > maxPasswordLine {
		return "", Usagef("-sasl-password-file %q: the first line is longer than %d KiB; write the password on it", path, maxPasswordLine>>10)
	}
	pass := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if pass == "" {
		return "", Usagef("-sasl-password-file %q: the first line is empty; write the password on it", path)
	}
	return pass, nil
}

// unwrapPath keeps os.ReadFile's error whole ("open x: no such file"),
// which names the file.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}
