package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/otelrelayer/otelrelayer/benchmarks/internal/childbroker"
)

// The service runs in a child process: this program re-executed with
// serviceEnv naming the variant, brokersEnv the brokers and, when asked,
// profileEnv the file of its CPU profile. It prints its address on one
// line, then answers commands on its standard input, one a line:
//
//	gc     → runtime.GC, then "ok"
//	flush  → waits until what it produced is on the broker, then
//	         "ok <requests served> <messages produced>" or "error <why>"
//
// and shuts down when its standard input closes.
const (
	serviceEnv = "HTTPBENCH_SERVICE"
	brokersEnv = "HTTPBENCH_BROKERS"
	profileEnv = "HTTPBENCH_CPUPROFILE"
)

// serveChild is the child's side.
func serveChild(variant string) (err error) {
	if path := os.Getenv(profileEnv); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	s, err := newService(variant, strings.Split(os.Getenv(brokersEnv), ","))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return errors.Join(err, s.close(context.Background()))
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Println(ln.Addr().String())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "gc":
			runtime.GC()
			fmt.Println("ok")
		case "flush":
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := s.flush(ctx)
			cancel()
			if err != nil {
				fmt.Println("error", strings.ReplaceAll(err.Error(), "\n", "; "))
				continue
			}
			served := s.served.Load()
			fmt.Println("ok", served, served*s.messagesPerRequest)
		default:
			fmt.Println("error unknown command", strconv.Quote(in.Text()))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(srv.Shutdown(ctx), s.close(ctx))
}

// child is a running service process, from the parent's side.
type child struct {
	variant string
	addr    string
	cmd     *exec.Cmd
	in      *bufio.Writer
	stdin   io.Closer
	out     *bufio.Reader
}

// startChild starts the service process of variant; profile, when not
// empty, is the file of its CPU profile.
func startChild(variant string, brokers []string, profile string) (*child, error) {
	cmd, stdin, stdout, err := childbroker.StartSelf(serviceEnv+"="+variant, brokersEnv+"="+strings.Join(brokers, ","), profileEnv+"="+profile)
	if err != nil {
		return nil, err
	}
	c := &child{variant: variant, cmd: cmd, in: bufio.NewWriter(stdin), stdin: stdin, out: stdout}
	line, err := c.out.ReadString('\n')
	if err != nil {
		return nil, errors.Join(fmt.Errorf("%s service process: %w", variant, err), c.stop())
	}
	c.addr = strings.TrimSpace(line)
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// command sends cmd and returns the fields of the answer after "ok".
func (c *child) command(cmd string) ([]string, error) {
	if _, err := c.in.WriteString(cmd + "\n"); err != nil {
		return nil, err
	}
	if err := c.in.Flush(); err != nil {
		return nil, err
	}
	line, err := c.out.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("%s service: %s: %w", c.variant, cmd, err)
	}
	f := strings.Fields(line)
	if len(f) == 0 || f[0] != "ok" {
		return nil, fmt.Errorf("%s service: %s: %s", c.variant, cmd, strings.TrimSpace(line))
	}
	return f[1:], nil
}

// flush returns what the service served and produced so far, once it is
// all on the broker.
func (c *child) flush() (served, messages int64, err error) {
	f, err := c.command("flush")
	if err != nil {
		return 0, 0, err
	}
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("%s service: flush: answer %q", c.variant, f)
	}
	served, err1 := strconv.ParseInt(f[0], 10, 64)
	messages, err2 := strconv.ParseInt(f[1], 10, 64)
	return served, messages, errors.Join(err1, err2)
}

// stop closes the service's standard input and waits for it to exit.
func (c *child) stop() error {
	_ = c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		return fmt.Errorf("%s service process: %w", c.variant, err)
	}
	return nil
}
