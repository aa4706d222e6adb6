// Command relayspool inspects and salvages the disk spool of an otelrelayer
// producer (kafkasink.WithSpool).
//
//	go install github.com/otelrelayer/otelrelayer/cmd/relayspool@latest
//	relayspool inspect DIR   # records, bytes, oldest age, topics, damaged frames and where
//	relayspool salvage DIR   # keep every valid record in a fresh spool, move the old files aside
//
// kafkasink.New refuses a damaged spool (an error wrapping kafkasink.ErrSpool
// that names this command) rather than take it for an empty one or skip
// what follows the damage. salvage writes every record whose frame is intact
// into a fresh spool in DIR and moves the old files into DIR/damaged-<UTC
// time>; it refuses to run while a producer holds the directory. inspect
// changes nothing.
//
// Exit status: 0 when the spool is sound (inspect) or was salvaged, 1 when
// inspect finds damage or a command fails, 2 for a usage error.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage:
  relayspool inspect DIR   what the spool in DIR holds, and what is damaged
  relayspool salvage DIR   keep every valid record of a damaged spool in a fresh one
`

// run executes the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("relayspool", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() != 2 {
		fmt.Fprintf(stderr, "relayspool: want a command and a directory, got %d arguments\n%s", fs.NArg(), usage)
		return 2
	}
	cmd, dir := fs.Arg(0), fs.Arg(1)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "relayspool: %q is not a directory\n", dir)
		return 2
	}
	switch cmd {
	case "inspect":
		return inspect(dir, stdout, stderr)
	case "salvage":
		return salvage(dir, stdout, stderr)
	}
	fmt.Fprintf(stderr, "relayspool: unknown command %q\n%s", cmd, usage)
	return 2
}
