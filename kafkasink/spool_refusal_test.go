package kafkasink_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSpoolSaysWhenTheBrokerRefusesARecordLeftOnDisk spools, during an
// outage, a record Kafka refuses for good (too large): its done callback
// gets ErrSpooled, "not lost". The next producer on the directory produces
// it, the broker refuses it and the record leaves the spool: with no done
// callback left to tell, the loss must at least be logged, naming the topic
// and the broker's error, not pass in silence.
func TestSpoolSaysWhenTheBrokerRefusesARecordLeftOnDisk(t *testing.T) {
	dir := t.TempDir()
	away, err := kafkasink.New(kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithLogger(nil), kafkasink.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	d := newDoneRecorder()
	away.Produce(t.Context(), kafkasink.Message{Topic: "refused.later", Value: make([]byte, 2<<20)}, d.done)
	closeLeaving(t, away, context.Background(), 1)
	if err := d.wait(t); !errors.Is(err, kafkasink.ErrSpooled) {
		t.Fatalf("done(%v), want ErrSpooled", err)
	}

	var logs syncBuffer
	seeds := otelrelayertest.Cluster(t)
	back := newProducer(t, kafkasink.WithBrokers(seeds...), kafkasink.WithSpool(dir),
		kafkasink.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err := back.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := logs.String(); !strings.Contains(got, "level=ERROR") || !strings.Contains(got, "refused.later") || !strings.Contains(got, "MESSAGE_TOO_LARGE") {
		t.Fatalf("the record was dropped from the spool; logged:\n%s\nwant an error naming the topic and MESSAGE_TOO_LARGE", got)
	}
	t.Logf("logged: %s", logs.String())
}
