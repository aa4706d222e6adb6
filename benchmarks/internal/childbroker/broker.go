package childbroker

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Serve is the child's side: it runs one kfake broker on a free loopback
// port, prints its addresses on one line, and serves until its standard
// input closes (the parent exited or is done). A program calls it when it
// finds the environment variable it passed to [Start] set.
func Serve() error {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		return err
	}
	defer cluster.Close()
	fmt.Println(strings.Join(cluster.ListenAddrs(), ","))
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// Broker is where a benchmark produces.
type Broker struct {
	Addrs []string
	Where string // for the report
	PID   int    // the child broker's, 0 when not ours
	stop  func() error
}

// Stop stops the broker when it is ours (a child process or in process).
func (b *Broker) Stop() error { return b.stop() }

// CPUTime returns the CPU time the child broker has used so far, or 0 when
// it is not a child or /proc cannot tell (see [ProcessCPU]).
func (b *Broker) CPUTime() time.Duration {
	if b.PID == 0 {
		return 0
	}
	return ProcessCPU(b.PID)
}

// Start returns the brokers of KAFKA_BROKERS when set, else starts this same
// program as a child process with env=1 in its environment; the program
// must then call [Serve] (and nothing else) when it sees env set.
func Start(env string) (*Broker, error) {
	if v := strings.TrimSpace(os.Getenv("KAFKA_BROKERS")); v != "" {
		return &Broker{Addrs: strings.Split(v, ","), Where: "KAFKA_BROKERS=" + v, stop: func() error { return nil }}, nil
	}
	cmd, stdin, stdout, err := StartSelf(env + "=1")
	if err != nil {
		return nil, err
	}
	line, err := stdout.ReadString('\n')
	if err != nil {
		_ = stdin.Close()
		_ = cmd.Wait()
		return nil, fmt.Errorf("broker child process: %w", err)
	}
	addrs := strings.Split(strings.TrimSpace(line), ",")
	return &Broker{
		Addrs: addrs,
		Where: fmt.Sprintf("kfake in its own process (pid %d) on %s", cmd.Process.Pid, strings.Join(addrs, ",")),
		PID:   cmd.Process.Pid,
		stop: func() error {
			_ = stdin.Close()
			return cmd.Wait()
		},
	}, nil
}

// StartSelf starts this same program as a child process with env added to
// its environment (NAME=value entries), its standard error the parent's,
// and returns its standard input and output: the child serves until its
// standard input closes.
func StartSelf(env ...string) (cmd *exec.Cmd, stdin io.WriteCloser, stdout *bufio.Reader, err error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, nil, err
	}
	cmd = exec.Command(self)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	if stdin, err = cmd.StdinPipe(); err != nil {
		return nil, nil, nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, err
	}
	return cmd, stdin, bufio.NewReader(out), nil
}

// InProcess runs kfake inside the calling process.
func InProcess() (*Broker, error) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		return nil, err
	}
	return &Broker{Addrs: cluster.ListenAddrs(), Where: "kfake in the benchmark process", stop: func() error {
		cluster.Close()
		return nil
	}}, nil
}
