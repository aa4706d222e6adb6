package kafkasink_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// hangGuard bounds waits that must end on their own, so that a regression
// fails the test instead of hanging it. It is never a timing assertion.
const hangGuard = 5 * time.Second

func TestNewRejectsInvalidConfiguration(t *testing.T) {
	tests := []struct {
		name     string
		opts     []kafkasink.Option
		wantText string
	}{
		{"no options", nil, "no brokers"},
		{"WithBrokers without addresses", []kafkasink.Option{kafkasink.WithBrokers()}, "no brokers"},
		{"empty broker", []kafkasink.Option{kafkasink.WithBrokers("")}, "empty broker address"},
		{"blank broker", []kafkasink.Option{kafkasink.WithBrokers("  ")}, "empty broker address"},
		{"empty broker among valid ones", []kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:9092"), kafkasink.WithBrokers("")}, "empty broker address"},
		{"zero buffered records", []kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:9092"), kafkasink.WithMaxBufferedRecords(0)}, "WithMaxBufferedRecords(0)"},
		{"negative buffered records", []kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:9092"), kafkasink.WithMaxBufferedRecords(-3)}, "WithMaxBufferedRecords(-3)"},
		{"broker port franz-go cannot parse", []kafkasink.Option{kafkasink.WithBrokers("127.0.0.1:notaport")}, "notaport"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := kafkasink.New(tt.opts...)
			if !errors.Is(err, kafkasink.ErrConfiguration) {
				t.Fatalf("New() error = %v, want errors.Is ErrConfiguration", err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("New() error = %q, want it to mention %q", err, tt.wantText)
			}
			if p != nil {
				t.Errorf("New() returned a producer with error %v", err)
			}
		})
	}
}

func TestProduceDeliversOverTheWire(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	p := newProducer(t, kafkasink.WithBrokers(seeds...))
	allBytes := make([]byte, 256)
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	tests := []struct {
		name string
		m    kafkasink.Message
	}{
		{"key value and headers", kafkasink.Message{
			Topic: "wire.headers", Key: []byte("order-10"), Value: []byte(`{"id":10}`),
			Headers: []kafkasink.Header{{Key: "traceparent", Value: []byte("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")}, {Key: "relayer-event-id", Value: []byte("0190a8e0-0000-7000-8000-000000000000")}},
		}},
		{"every byte value", kafkasink.Message{
			Topic: "wire.binary", Key: allBytes[:128], Value: allBytes,
			Headers: []kafkasink.Header{{Key: "bin", Value: allBytes[128:]}},
		}},
		{"no key", kafkasink.Message{Topic: "wire.nokey", Value: []byte("v")}},
		{"empty header value", kafkasink.Message{Topic: "wire.emptyheader", Value: []byte("v"), Headers: []kafkasink.Header{{Key: "empty"}}}},
		{"repeated header keys keep their order", kafkasink.Message{
			Topic: "wire.repeated", Value: []byte("v"),
			Headers: []kafkasink.Header{{Key: "h", Value: []byte("1")}, {Key: "other", Value: []byte("x")}, {Key: "h", Value: []byte("2")}},
		}},
		{"large value", kafkasink.Message{Topic: "wire.large", Key: []byte("k"), Value: bytes.Repeat([]byte("relayer "), 64<<10)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDoneRecorder()
			p.Produce(t.Context(), tt.m, d.done)
			if err := d.wait(t); err != nil {
				t.Fatalf("done(%v), want nil", err)
			}
			if err := p.Flush(t.Context()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			if n := d.calls.Load(); n != 1 {
				t.Errorf("done called %d times, want 1", n)
			}
			got := consume(t, seeds, tt.m.Topic, 1)[0]
			assertRecord(t, got, tt.m)
		})
	}
}

func TestProduceConcurrently(t *testing.T) {
	tests := []struct {
		name          string
		opts          []kafkasink.Option
		goroutines, n int
	}{
		{"default buffer", nil, 8, 250},
		{"buffer of one record", []kafkasink.Option{kafkasink.WithMaxBufferedRecords(1)}, 4, 25},
		{"buffer of eight records", []kafkasink.Option{kafkasink.WithMaxBufferedRecords(8)}, 8, 50},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seeds := otelrelayertest.Cluster(t)
			p := newProducer(t, append([]kafkasink.Option{kafkasink.WithBrokers(seeds...)}, tt.opts...)...)
			topic := fmt.Sprintf("concurrent.%d", i)
			total := tt.goroutines * tt.n
			calls := make([]atomic.Int32, total)
			var failures atomic.Int32
			var wg sync.WaitGroup
			for g := range tt.goroutines {
				wg.Go(func() {
					for j := range tt.n {
						idx := g*tt.n + j
						m := kafkasink.Message{Topic: topic, Key: fmt.Appendf(nil, "%d", idx), Value: fmt.Appendf(nil, "value-%d", idx)}
						p.Produce(t.Context(), m, func(err error) {
							calls[idx].Add(1)
							if err != nil {
								failures.Add(1)
							}
						})
					}
				})
			}
			wg.Wait()
			if err := p.Flush(t.Context()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			// Flush returns only after every accepted message's done ran.
			for idx := range calls {
				if n := calls[idx].Load(); n != 1 {
					t.Errorf("message %d: done called %d times, want 1", idx, n)
				}
			}
			if n := failures.Load(); n != 0 {
				t.Errorf("%d messages failed", n)
			}
			seen := make(map[string]int, total)
			for _, r := range consume(t, seeds, topic, total) {
				if want := "value-" + string(r.Key); string(r.Value) != want {
					t.Errorf("key %s: value %q, want %q", r.Key, r.Value, want)
				}
				seen[string(r.Key)]++
			}
			for idx := range total {
				if n := seen[fmt.Sprint(idx)]; n != 1 {
					t.Errorf("message %d consumed %d times, want 1", idx, n)
				}
			}
		})
	}
}

func TestWithClientOptions(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	tests := []struct {
		name      string
		opts      []kafkasink.Option
		topic     string // of the produced message
		wantTopic string // where it must arrive
		check     func(t *testing.T, p *kafkasink.Producer)
	}{
		{
			name:      "DefaultProduceTopic fills an empty topic",
			opts:      []kafkasink.Option{kafkasink.WithBrokers(seeds...), kafkasink.WithClientOptions(kgo.DefaultProduceTopic("options.default"))},
			wantTopic: "options.default",
		},
		{
			name:      "SeedBrokers overrides WithBrokers",
			opts:      []kafkasink.Option{kafkasink.WithBrokers(closedAddr(t)), kafkasink.WithClientOptions(kgo.SeedBrokers(seeds...))},
			topic:     "options.seeds",
			wantTopic: "options.seeds",
		},
		{
			name: "calls accumulate",
			opts: []kafkasink.Option{
				kafkasink.WithBrokers(seeds...),
				kafkasink.WithClientOptions(kgo.ClientID("relayer-orders")),
				kafkasink.WithClientOptions(kgo.DefaultProduceTopic("options.accumulated")),
			},
			wantTopic: "options.accumulated",
			check: func(t *testing.T, p *kafkasink.Producer) {
				if got := p.Client().OptValue(kgo.ClientID); got != "relayer-orders" {
					t.Errorf("client ID = %v, want relayer-orders", got)
				}
			},
		},
		{
			name:      "defaults allow automatic topic creation",
			opts:      []kafkasink.Option{kafkasink.WithBrokers(seeds...)},
			topic:     "options.autocreated",
			wantTopic: "options.autocreated",
			check: func(t *testing.T, p *kafkasink.Producer) {
				if got := p.Client().OptValue(kgo.AllowAutoTopicCreation); got != true {
					t.Errorf("AllowAutoTopicCreation = %v, want true", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProducer(t, tt.opts...)
			if tt.check != nil {
				tt.check(t, p)
			}
			d := newDoneRecorder()
			p.Produce(t.Context(), kafkasink.Message{Topic: tt.topic, Value: []byte(tt.name)}, d.done)
			if err := d.wait(t); err != nil {
				t.Fatalf("done(%v), want nil", err)
			}
			got := consume(t, seeds, tt.wantTopic, 1)[0]
			if string(got.Value) != tt.name {
				t.Errorf("consumed %q from %s, want %q", got.Value, tt.wantTopic, tt.name)
			}
		})
	}
}
