package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/testing/kafkaends"
)

// childEnv, when set in the environment, makes relaybench run as the broker
// process of a parent relaybench instead of as the benchmark.
const childEnv = "RELAYBENCH_BROKER_CHILD"

// brokerChild runs one kfake broker on a free loopback port, prints its
// addresses on one line, and serves until its standard input closes (the
// parent exited or is done).
func brokerChild() error {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		return err
	}
	defer cluster.Close()
	fmt.Println(strings.Join(cluster.ListenAddrs(), ","))
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// broker is where the benchmark produces.
type broker struct {
	addrs []string
	where string // for the report
	stop  func() error
	pid   int // the child broker's, 0 when not ours
}

// cpuTime returns the CPU time the child broker has used so far (user and
// system, from /proc, in clock ticks of 10ms), or 0 when it is not a child
// or /proc cannot tell.
func (b *broker) cpuTime() time.Duration {
	if b.pid == 0 {
		return 0
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", b.pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are the 12th and 13th.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// externalBroker returns the brokers of KAFKA_BROKERS when set, else starts
// this same program as a child process running kfake on a free loopback
// port: the broker then has its own heap, garbage collector and scheduler,
// as in a deployment.
func externalBroker() (*broker, error) {
	if env := strings.TrimSpace(os.Getenv("KAFKA_BROKERS")); env != "" {
		return &broker{addrs: strings.Split(env, ","), where: "KAFKA_BROKERS=" + env, stop: func() error { return nil }}, nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = stdin.Close()
		_ = cmd.Wait()
		return nil, fmt.Errorf("broker child process: %w", err)
	}
	addrs := strings.Split(strings.TrimSpace(line), ",")
	return &broker{
		addrs: addrs,
		where: fmt.Sprintf("kfake in its own process (pid %d) on %s", cmd.Process.Pid, strings.Join(addrs, ",")),
		stop: func() error {
			_ = stdin.Close()
			return cmd.Wait()
		},
		pid: cmd.Process.Pid,
	}, nil
}

// inProcessBroker runs kfake inside the benchmark process (the second table).
func inProcessBroker() (*broker, error) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		return nil, err
	}
	return &broker{addrs: cluster.ListenAddrs(), where: "kfake in the benchmark process", stop: func() error {
		cluster.Close()
		return nil
	}}, nil
}

// counter reads how many messages the broker holds on the benchmark's topics:
// the sum of the end offsets of all their partitions.
type counter struct {
	cl     *kgo.Client
	topics []string
}

// newCounter also creates the topics, with one message each, so that no
// measurement pays for their creation.
func newCounter(ctx context.Context, addrs []string, topics ...string) (*counter, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.AllowAutoTopicCreation())
	if err != nil {
		return nil, err
	}
	for _, t := range topics {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: t, Value: []byte(`{}`)}).FirstErr(); err != nil {
			cl.Close()
			return nil, fmt.Errorf("creating topic %s: %w", t, err)
		}
	}
	return &counter{cl: cl, topics: topics}, nil
}

func (c *counter) close() { c.cl.Close() }

// count returns the number of messages on the broker, topics that do not
// exist yet counting zero.
func (c *counter) count(ctx context.Context) (int64, error) {
	ends, err := kafkaends.List(ctx, c.cl, c.topics)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, parts := range ends {
		for _, end := range parts {
			n += end
		}
	}
	return n, nil
}

var errMissing = errors.New("messages missing on the broker")
