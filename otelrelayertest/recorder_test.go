package otelrelayertest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.opentelemetry.io/otel"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

func TestPatchInstallsAndRestores(t *testing.T) {
	before := otel.GetTracerProvider()
	t.Run("patched", func(t *testing.T) {
		rec := otelrelayertest.Patch(t, exporter.WithTopicSuffix(".test"))
		ctx, span := otel.Tracer("code-under-test").Start(t.Context(), "handler")
		if span.TracerProvider() != rec.TracerProvider() {
			t.Fatal("the global tracer provider does not start the recorder's spans")
		}
		if err := bridge.Emit(ctx, "thing_done", "x", 1); err != nil {
			t.Fatal(err)
		}
		span.End()
		if err := bridge.Emit(t.Context(), "no_span", "x", 2); err != nil { // default pipeline
			t.Fatal(err)
		}
		if n := len(rec.Events("thing_done.test")); n != 1 {
			t.Errorf("recorded %d thing_done events, want 1", n)
		}
		if n := len(rec.Events("no_span.test")); n != 1 {
			t.Errorf("recorded %d no_span events, want 1", n)
		}
		if logs := rec.RequestLogs(); len(logs) != 1 || logs[0].Service != "handler" || len(logs[0].Lines) != 1 {
			t.Errorf("request logs: %+v", logs)
		}
		if got := rec.Topics(); len(got) != 3 {
			t.Errorf("topics %v", got)
		}
	})
	if otel.GetTracerProvider() != before {
		t.Error("Patch did not restore the global tracer provider")
	}
	if err := bridge.Emit(t.Context(), "after", "x", 1); err == nil {
		t.Error("the patched pipeline is still the default after the test ended")
	}
}

// A package-level tracer is bound to the global provider once per process;
// every Patch must still receive its spans.
var packageTracer = otel.Tracer("package-level")

func TestPatchFollowsPackageLevelTracers(t *testing.T) {
	for i := range 3 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			rec := otelrelayertest.Patch(t)
			ctx, span := packageTracer.Start(t.Context(), "job")
			_ = bridge.Log(ctx, "info", "one")
			_ = bridge.Log(ctx, "info", "two")
			span.End()
			logs := rec.RequestLogs()
			if len(logs) != 1 || logs[0].Service != "job" || len(logs[0].Lines) != 2 {
				t.Fatalf("request logs: %+v", logs)
			}
		})
	}
}

func TestNewIsNotTheDefault(t *testing.T) {
	rec := otelrelayertest.New(t)
	_ = bridge.Emit(t.Context(), "elsewhere", "x", 1) // no span: not routed to rec
	if len(rec.Topics()) != 0 {
		t.Fatalf("New's recorder received a call without its span: %v", rec.Topics())
	}
	ctx, span := rec.Tracer().Start(t.Context(), "s")
	defer span.End()
	if err := bridge.Emit(ctx, "mine", "x", 1); err != nil || len(rec.Messages("mine")) != 1 {
		t.Fatalf("Emit with the recorder's span: %v, %v", err, rec.Topics())
	}
}

func TestClusterSpeaksKafka(t *testing.T) {
	addrs := otelrelayertest.Cluster(t, kfake.SeedTopics(3, "seeded"))
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.AllowAutoTopicCreation(),
		kgo.ConsumeTopics("auto"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: "auto", Value: []byte("v")}).FirstErr(); err != nil {
		t.Fatalf("producing to an auto-created topic: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	fs := cl.PollFetches(ctx)
	if recs := fs.Records(); len(recs) != 1 || string(recs[0].Value) != "v" {
		t.Fatalf("fetched %v (errors %v)", recs, fs.Errors())
	}
	md, err := partitionCount(t, cl, "seeded")
	if err != nil || md != 3 {
		t.Fatalf("seeded topic has %d partitions (%v), want 3", md, err)
	}
}

func partitionCount(t *testing.T, cl *kgo.Client, topic string) (int, error) {
	t.Helper()
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(t.Context(), cl)
	if err != nil {
		return 0, err
	}
	return len(resp.Topics[0].Partitions), nil
}

func TestFailingSink(t *testing.T) {
	errNo := errors.New("no")
	sink := otelrelayertest.NewFailingSink(errNo, "refused")
	var got []error
	for _, topic := range []string{"refused", "accepted"} {
		sink.Produce(t.Context(), kafkasink.Message{Topic: topic}, func(err error) { got = append(got, err) })
	}
	if len(got) != 2 || !errors.Is(got[0], errNo) || got[1] != nil {
		t.Fatalf("results %v", got)
	}
	if fmt.Sprint(sink.Topics()) != "[accepted]" {
		t.Fatalf("recorded %v", sink.Topics())
	}
}
