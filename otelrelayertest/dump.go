package otelrelayertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/internal/testing/kafkaends"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// DumpEnv names the environment variable that turns the message dump on:
// when it names a directory, every message a [Sink] records, and every
// message in a [Cluster] when its test ends, is appended as a JSON line to
// a file of that directory (one file per test process). The repository's
// JSON Schema test validates what the whole test suite wrote this way. Off
// when unset. A Cluster whose messages cannot be dumped fails its test; a
// Sink reports a failed dump on standard error (Produce is unchanged).
const DumpEnv = "OTELRELAYER_MESSAGE_DUMP"

// dumpedMessage is a line of the dump.
type dumpedMessage struct {
	Origin  string            `json:"origin"` // "sink" or the test of a Cluster
	Process string            `json:"process"`
	Topic   string            `json:"topic"`
	Key     []byte            `json:"key,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Value   []byte            `json:"value"`
}

var dump struct {
	once sync.Once
	mu   sync.Mutex
	f    *os.File
	err  error
}

// dumpFile opens this process's dump file once; nil when the dump is off.
func dumpFile() (*os.File, error) {
	dump.once.Do(func() {
		dir := os.Getenv(DumpEnv)
		if dir == "" {
			return
		}
		if dump.err = os.MkdirAll(dir, 0o755); dump.err != nil {
			return
		}
		name := fmt.Sprintf("%s-%d.jsonl", filepath.Base(os.Args[0]), os.Getpid())
		dump.f, dump.err = os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	})
	return dump.f, dump.err
}

// dumpSinkMessage is dumpMessage for a Sink, which has no test to fail.
func dumpSinkMessage(m kafkasink.Message) {
	if err := dumpMessage("sink", m.Topic, m.Key, m.Headers, m.Value); err != nil {
		dumpErrOnce.Do(func() { fmt.Fprintf(os.Stderr, "otelrelayertest: %s: %v\n", DumpEnv, err) })
	}
}

var dumpErrOnce sync.Once

// dumpMessage appends a message to the dump when it is on.
func dumpMessage(origin, topic string, key []byte, headers []kafkasink.Header, value []byte) error {
	f, err := dumpFile()
	if f == nil || err != nil {
		return err
	}
	d := dumpedMessage{Origin: origin, Process: filepath.Base(os.Args[0]), Topic: topic, Key: key, Value: value}
	if len(headers) > 0 {
		d.Headers = make(map[string]string, len(headers))
		for _, h := range headers {
			d.Headers[h.Key] = string(h.Value)
		}
	}
	line, err := json.Marshal(d)
	if err != nil {
		return err
	}
	dump.mu.Lock()
	defer dump.mu.Unlock()
	_, err = f.Write(append(line, '\n'))
	return err
}

// dumpCluster appends every message of every topic of brokers to the dump.
func dumpCluster(t testing.TB, brokers []string) {
	if f, err := dumpFile(); f == nil && err == nil {
		return
	}
	err := readCluster(brokers, func(r *kgo.Record) error {
		return dumpMessage(t.Name(), r.Topic, r.Key, r.Headers, r.Value)
	})
	if errors.Is(err, errSecuredCluster) {
		t.Logf("otelrelayertest: %v", err) // a cluster of the security tests
		return
	}
	if err != nil {
		t.Errorf("otelrelayertest: dumping the cluster's messages: %v", err)
	}
}

// errSecuredCluster is readCluster's error for a cluster it cannot read in
// plaintext without credentials: its messages are not dumped.
var errSecuredCluster = errors.New("not dumping a cluster that requires TLS or SASL")

// readClusterBound bounds readCluster, however slow the machine.
const readClusterBound = 30 * time.Second

// readCluster calls fn with every message of every topic of brokers (but
// the internal ones, named _…): it lists the end offsets first and reads
// every partition to its end, so that a slow fetch cannot end it early.
// It fails when a partition is not read to its end within
// readClusterBound, or at the first error of fn.
func readCluster(brokers []string, fn func(*kgo.Record) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), readClusterBound)
	defer cancel()
	admin, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return err
	}
	// The dump reads in plaintext without credentials: a cluster that
	// wants TLS or SASL closes the first connection, and waiting would
	// only repeat that.
	if _, err := kafkaends.List(ctx, admin, nil); errors.As(err, new(*kgo.ErrFirstReadEOF)) {
		admin.Close()
		return fmt.Errorf("%w: %w", errSecuredCluster, err)
	}
	ends, err := kafkaends.Wait(ctx, admin, nil)
	admin.Close()
	if err != nil {
		return err
	}
	from := map[string]map[int32]kgo.Offset{}
	unread := 0
	for topic, parts := range ends {
		for p, end := range parts {
			if end > 0 {
				if from[topic] == nil {
					from[topic] = map[int32]kgo.Offset{}
				}
				from[topic][p] = kgo.NewOffset().AtStart()
				unread++
			}
		}
	}
	if unread == 0 {
		return nil
	}
	// Control records (a transaction's commit or abort marker) are kept:
	// one can hold a partition's last offset, which otherwise no record
	// would reach.
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumePartitions(from), kgo.FetchMaxWait(100*time.Millisecond), kgo.KeepControlRecords())
	if err != nil {
		return err
	}
	defer cl.Close()
	for unread > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return fmt.Errorf("%d partitions not read to their end within %v", unread, readClusterBound)
		}
		for _, r := range fs.Records() {
			if !r.Attrs.IsControl() {
				if err := fn(r); err != nil {
					return err
				}
			}
			if end := ends[r.Topic][r.Partition]; end > 0 && r.Offset+1 >= end {
				ends[r.Topic][r.Partition] = 0 // read to its end
				unread--
			}
		}
	}
	return nil
}
