package tail_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// Dates are any producer's. A producer that writes, more often than the
// ordering window, request logs each dated earlier than the one before
// puts a fresh message at the head of the window every time: the window
// must still let every message go within about Window of its arrival, not
// hold the others until MaxHeld of them pile up.
func TestEverEarlierDatesDoNotStallTheWindow(t *testing.T) {
	const window = 500 * time.Millisecond
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "logging"))
	tl := open(t, tail.Config{Brokers: brokers, Topics: []string{"logging"}, Window: window})
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ProducerLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: "logging", Value: requestLog(3600)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 6*time.Second)
	defer cancel()
	go func() {
		for i := 1; ctx.Err() == nil; i++ {
			_ = cl.ProduceSync(ctx, &kgo.Record{Topic: "logging", Value: requestLog(-i)}).FirstErr()
			time.Sleep(window / 4)
		}
	}()
	start := time.Now()
	for {
		m, err := tl.Next(ctx)
		if err != nil {
			t.Fatalf("the honest request log did not come out in %v: %v", time.Since(start).Round(time.Millisecond), err)
		}
		if m.Kind == tail.KindRequestLog && m.RequestLog.Path == "/3600" {
			break
		}
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the honest request log came out after %v, want within about the window (%v)", d.Round(time.Millisecond), window)
	}
}
