package demo

import (
	"context"
	"flag"
	"fmt"
	"os"
)

// Main runs an example program: it gets brokers (embedded or KAFKA_BROKERS),
// runs work against them, then prints topics back. It accepts -spool DIR
// (see SpoolFlag). On error it prints "name: error" and exits 1.
func Main(name string, work func(ctx context.Context, brokers []string) error, topics ...string) {
	SpoolFlag(flag.CommandLine)
	flag.Parse()
	ctx := context.Background()
	err := func() error {
		brokers, stop, err := Brokers()
		if err != nil {
			return err
		}
		defer stop()
		if err := work(ctx, brokers); err != nil {
			return err
		}
		fmt.Println()
		return PrintTopics(ctx, brokers, topics...)
	}()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}
