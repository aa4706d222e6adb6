package demo

import "flag"

// SpoolDir is the directory given with -spool: when set, Install puts the
// messages in a write-ahead log there (kafkasink.WithSpool), so that they
// survive a Kafka outage and a restart of the program.
var SpoolDir string

// SpoolFlag registers -spool DIR on fs, setting SpoolDir.
func SpoolFlag(fs *flag.FlagSet) {
	fs.StringVar(&SpoolDir, "spool", "", "keep messages in a write-ahead log in `DIR` until Kafka acknowledges them (kafkasink.WithSpool): they survive an outage and a restart")
}
