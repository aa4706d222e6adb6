// Package cli holds what the commands (relayer-dev, relaytail, relayview)
// share about their command line: the exit status of a usage error, the
// end of the flags, the -color flag, the connection flags (-brokers, -tls…,
// -sasl…, resolved by kafkasink), and stopping on SIGINT or SIGTERM.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/otelrelayer/otelrelayer/cmd/internal/termtext"
)

// UsageError is a command line that cannot be run; Main exits with status
// 2 on it.
type UsageError struct{ Msg string }

func (e UsageError) Error() string { return e.Msg }

// Usagef returns a UsageError with the formatted message.
func Usagef(format string, args ...any) error {
	return UsageError{fmt.Sprintf(format, args...)}
}

// Main runs run with a context that ends on SIGINT or SIGTERM, then exits:
// with status 0 on nil or -help, 2 on a UsageError and 1 on any other
// error, which it prints to stderr after the command's name, escaped
// with termtext (errors name topics, which any producer may name).
func Main(name string, run func(ctx context.Context) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return
	case errors.As(err, new(UsageError)):
		fmt.Fprintln(os.Stderr, name+":", termtext.Lines(err.Error()))
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, name+":", termtext.Lines(err.Error()))
		os.Exit(1)
	}
}

// Parse parses args with fs, which must have been made with
// flag.ContinueOnError. It returns flag.ErrHelp for -help, and a
// UsageError for a flag fs does not accept or for arguments after the
// flags.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return UsageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return Usagef("unexpected arguments %q", fs.Args())
	}
	return nil
}

// ColorFlag registers -color on fs. Its value is given to Color.
func ColorFlag(fs *flag.FlagSet) *string {
	return fs.String("color", "auto", "colours: auto (when stdout is a terminal and NO_COLOR is unset), always, never")
}

// Color reports whether to write colours for the -color value mode: for
// auto, when stdout is a terminal and getenv("NO_COLOR") is empty. Any
// other mode than auto, always or never is a UsageError.
func Color(mode string, getenv func(string) string, stdoutIsTerminal bool) (bool, error) {
	switch mode {
	case "auto":
		return stdoutIsTerminal && getenv("NO_COLOR") == "", nil
	case "always":
		return true, nil
	case "never":
		return false, nil
	}
	return false, Usagef("-color %q: want auto, always or never", mode)
}

// IsTerminal reports whether w is a character device, such as a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Getenv returns a getenv over environ, os.Environ's "NAME=value"
// entries; the last entry of a name wins.
func Getenv(environ []string) func(string) string {
	return func(name string) string {
		for i := len(environ) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(environ[i], name+"="); ok {
				return v
			}
		}
		return ""
	}
}

// Split returns the non-empty items of a comma-separated list, without
// the spaces around them.
func Split(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Notef writes a notice to w: the command's name, then the formatted
// message escaped with termtext, as every notice holds values from Kafka
// (topic names, event types, errors). Each string or Stringer argument is
// escaped whole, its line ends too, so that a value cannot start a line
// that passes for another notice; an error keeps the line ends of the
// errors it joins.
func Notef(w io.Writer, name, format string, args ...any) {
	escaped := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			escaped[i] = termtext.Escape(v)
		case error:
			escaped[i] = termtext.Lines(v.Error())
		case fmt.Stringer:
			escaped[i] = termtext.Escape(v.String())
		default:
			escaped[i] = a
		}
	}
	fmt.Fprintln(w, name+": "+termtext.Lines(fmt.Sprintf(format, escaped...)))
}

// Notes returns a writer that writes each line given to one Write call to
// w after the command's name, as Notef does (the caller escapes them).
func Notes(w io.Writer, name string) io.Writer { return notes{w, name + ": "} }

type notes struct {
	w      io.Writer
	prefix string
}

func (n notes) Write(p []byte) (int, error) {
	if _, err := io.WriteString(n.w, n.prefix+string(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
