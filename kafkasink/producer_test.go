package kafkasink_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

func TestScratchReentrant(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	p, err := kafkasink.New(kafkasink.WithBrokers(seeds...), kafkasink.WithMaxBufferedRecords(1), kafkasink.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	inner := make(chan error, 1)
	returned := make(chan struct{})
	p.Produce(t.Context(), kafkasink.Message{Topic: "a", Value: []byte("1")}, func(err error) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		p.Produce(ctx, kafkasink.Message{Topic: "a", Value: []byte("2")}, func(err error) { inner <- err })
		close(returned)
	})
	select {
	case <-returned:
		t.Log("inner Produce returned")
	case <-time.After(3 * time.Second):
		t.Fatal("inner Produce from done blocked for 3s (ctx was 200ms)")
	}
}

func TestScratchAfterClose(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	p, err := kafkasink.New(kafkasink.WithBrokers(seeds...), kafkasink.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan error, 10)
	p.Produce(t.Context(), kafkasink.Message{Topic: "known", Value: []byte("1")}, func(err error) { ch <- err })
	if err := p.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Log("first:", <-ch)
	for _, topic := range []string{"known", "unknown"} {
		p.Produce(t.Context(), kafkasink.Message{Topic: topic, Value: []byte("1")}, func(err error) { ch <- err })
		select {
		case err := <-ch:
			t.Log(topic, "after close:", err)
		case <-time.After(3 * time.Second):
			t.Error(topic, ": done never called after Close")
		}
	}
}

func TestScratchUnreachable(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	p, err := kafkasink.New(kafkasink.WithBrokers(addr), kafkasink.WithMaxBufferedRecords(1), kafkasink.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan error, 10)
	p.Produce(t.Context(), kafkasink.Message{Topic: "x", Value: []byte("1")}, func(err error) { ch <- err })
	select {
	case err := <-ch:
		t.Log("first failed early:", err)
	case <-time.After(3 * time.Second):
		t.Log("first still in flight after 3s")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ctx2, c2 := context.WithTimeout(context.Background(), time.Second)
	defer c2()
	t.Log("close:", p.Close(ctx), ctx2.Err())
	t.Log(<-ch)
}

func TestScratchBadBroker(t *testing.T) {
	for _, b := range []string{"localhost:notaport", "host:1:2", ":9092", "localhost"} {
		p, err := kafkasink.New(kafkasink.WithBrokers(b))
		t.Log(b, err)
		if p != nil {
			p.Close(t.Context())
		}
	}
}
