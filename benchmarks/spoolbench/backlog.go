package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// measureBacklog shows that a spool shrinks back after a backlog drains and
// commits as fast as a fresh one: the spool directory's size, and the
// latency of a Produce that waits for its commit, on a fresh spool, with
// backlogMiB of records spooled while no broker listened, and once the
// broker took them all.
func measureBacklog(ctx context.Context, brokers []string, backlogMiB int, dir string) error {
	d, err := os.MkdirTemp(dir, "spoolbench-backlog-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(d)
	const probes = 2000
	p, err := kafkasink.New(kafkasink.WithBrokers(brokers...), kafkasink.WithLogger(nil), kafkasink.WithSpool(d))
	if err != nil {
		return err
	}
	fresh, err := produceTimes(ctx, p, probes)
	if err != nil {
		return err
	}
	freshSize := dirSize(d)
	if err := p.Close(ctx); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	away := ln.Addr().String()
	ln.Close()
	p, err = kafkasink.New(kafkasink.WithBrokers(away), kafkasink.WithLogger(nil), kafkasink.WithSpool(d), kafkasink.WithSpoolMaxBytes(int64(backlogMiB+64)<<20))
	if err != nil {
		return err
	}
	value := make([]byte, 64<<10)
	start := time.Now()
	for i := range backlogMiB * 16 {
		value[0] = byte(i)
		p.Produce(ctx, kafkasink.Message{Topic: "backlog", Value: value}, nil)
	}
	fill := time.Since(start)
	closeCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	_ = p.Close(closeCtx) // the records stay for the next producer
	cancel()
	backlogSize := dirSize(d)

	start = time.Now()
	p, err = kafkasink.New(kafkasink.WithBrokers(brokers...), kafkasink.WithLogger(nil), kafkasink.WithSpool(d), kafkasink.WithSpoolMaxBytes(int64(backlogMiB+64)<<20))
	if err != nil {
		return err
	}
	defer p.Close(ctx)
	if err := p.Flush(ctx); err != nil {
		return err
	}
	drain := time.Since(start)
	time.Sleep(200 * time.Millisecond) // the store removes delivered segments in the background
	drainedSize := dirSize(d)
	after, err := produceTimes(ctx, p, probes)
	if err != nil {
		return err
	}
	fmt.Printf("\nbacklog: %d MiB spooled with the broker away in %v, delivered in %v\n", backlogMiB, fill.Round(time.Millisecond), drain.Round(time.Millisecond))
	fmt.Printf("spool_size_fresh_bytes %d\n", freshSize)
	fmt.Printf("spool_size_backlog_bytes %d\n", backlogSize)
	fmt.Printf("spool_size_drained_bytes %d\n", drainedSize)
	fmt.Printf("spool_commit_fresh_p50_ms %.3f\n", at(fresh, 0.5))
	fmt.Printf("spool_commit_fresh_p99_ms %.3f\n", at(fresh, 0.99))
	fmt.Printf("spool_commit_drained_p50_ms %.3f\n", at(after, 0.5))
	fmt.Printf("spool_commit_drained_p99_ms %.3f\n", at(after, 0.99))
	return nil
}

// produceTimes produces n messages one after the other and returns how long
// each Produce took: with the default spool, its commit.
func produceTimes(ctx context.Context, p *kafkasink.Producer, n int) ([]time.Duration, error) {
	took := make([]time.Duration, 0, n)
	value := make([]byte, 300)
	for range n {
		start := time.Now()
		p.Produce(ctx, kafkasink.Message{Topic: "probe", Value: value}, nil)
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	return took, p.Flush(ctx)
}

func at(sorted []time.Duration, q float64) float64 {
	return float64(sorted[int(q*float64(len(sorted)-1))]) / 1e6
}

// dirSize returns the bytes of the files in dir.
func dirSize(dir string) int64 {
	var n int64
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n
}
