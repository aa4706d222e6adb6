package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

// startBroker starts the embedded broker of cfg.
func startBroker(cfg config) (*kfake.Cluster, error) {
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(cfg.port),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(cfg.partitions),
	}
	if cfg.dataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.dataDir))
	}
	c, err := kfake.NewCluster(opts...)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("port %d on 127.0.0.1 is in use (is a Kafka broker, or another relayer-dev, running?); stop it or pass -port: %w", cfg.port, err)
	case err != nil && cfg.dataDir != "":
		return nil, fmt.Errorf("starting the broker with data in %s: %w", cfg.dataDir, err)
	case err != nil:
		return nil, fmt.Errorf("starting the broker: %w", err)
	}
	return c, nil
}

// printBanner says where the broker is and what to export (and unset: the
// security variables of environ).
func printBanner(w io.Writer, cfg config, brokers []string, environ []string) {
	addrs := strings.Join(brokers, ",")
	keep := "in memory: -data DIR keeps them across restarts"
	if cfg.dataDir != "" {
		keep = "kept in " + cfg.dataDir
	}
	fmt.Fprintf(w, "relayer-dev: Kafka broker on %s (messages %s)\n\n", addrs, keep)
	fmt.Fprintf(w, "In your service's shell:\n\n    export KAFKA_BROKERS=%s\n\n", addrs)
	printUnset(w, environ)
	if cfg.tail {
		fmt.Fprintf(w, "Request logs and events as they arrive (-tail=false to hide them); Ctrl-C stops the broker.\n\n")
	} else {
		fmt.Fprintf(w, "Ctrl-C stops the broker.\n\n")
	}
}
