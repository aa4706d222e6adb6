package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/internal/testing/testkit"
	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// requestLog is a request log body for GET path that started at date.
func requestLog(path string, date time.Time) []byte {
	return fmt.Appendf(nil, `{"source":"t","logging_topic":"logging","date":%q,"method":"GET","path":%q,"status":200,"request_time":1.5,"lines":[],"dropped_lines":0,"dropped_events":0}`,
		date.UTC().Format("2006-01-02T15:04:05.000000Z"), path)
}

// The view of a cluster given by KAFKA_BROKERS shows the request logs
// written within -since.
func TestServesTheCluster(t *testing.T) {
	brokers := otelrelayertest.Cluster(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	old, recent := time.Now().Add(-2*time.Hour), time.Now().Add(-time.Minute)
	if err := cl.ProduceSync(t.Context(),
		&kgo.Record{Topic: "logging", Value: requestLog("/old", old), Timestamp: old},
		&kgo.Record{Topic: "logging", Value: requestLog("/recent", recent), Timestamp: recent},
	).FirstErr(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	out := &testkit.Buffer{}
	errc := make(chan error, 1)
	env := []string{"KAFKA_BROKERS=" + strings.Join(brokers, ",")}
	go func() {
		errc <- run(ctx, []string{"-ui", "127.0.0.1:0"}, out, out, env)
	}()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("run: %v", err)
		}
	}()

	urlLine := regexp.MustCompile(`relayview: reading every topic from [^;]+; web view at (http://127\.0\.0\.1:\d+/)\n`)
	var list string
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(list, "/recent") {
		if time.Now().After(deadline) {
			t.Fatalf("no request log listed within 20s; output:\n%s\nlist:\n%s", out.String(), list)
		}
		time.Sleep(50 * time.Millisecond)
		if m := urlLine.FindStringSubmatch(out.String()); m != nil {
			list = testkit.Get(t, m[1])
		}
	}
	if strings.Contains(list, "/old") {
		t.Error("a request log older than -since (1h by default) is listed")
	}
}

func TestRefusals(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "logging"))
	tests := []struct {
		name    string
		args    []string
		env     string // KAFKA_BROKERS
		wantErr string
		usage   bool
		is      error
	}{
		{"no brokers", nil, "", "no brokers: give -brokers host:port or set KAFKA_BROKERS", true, nil},
		{"negative since", []string{"-since", "-1h"}, brokers[0], "-since -1h: want a duration of 0 or more", true, nil},
		{"since in the future", []string{"-since", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, brokers[0], "is in the future", true, nil},
		{"since unparsable", []string{"-since", "yesterday"}, brokers[0], `-since: want a time such as 2026-12-07T10:00:00Z, 2026-12-07 or a duration ago such as 30m, got "yesterday"`, true, nil},
		{"since and from-offset", []string{"-since", "2h", "-from-offset", "5"}, brokers[0], "-since and -from-offset: give one of them", true, nil},
		{"negative from-offset", []string{"-from-offset", "-5"}, brokers[0], "-from-offset -5: want an offset of 0 or more", true, nil},
		{"no address", []string{"-ui", ""}, brokers[0], "-ui: want an address", true, nil},
		{"bad trace URL", []string{"-trace-url", "localhost/{trace_id}"}, brokers[0], "-trace-url", true, nil},
		{"argument", []string{"logging"}, brokers[0], "unexpected arguments", true, nil},
		{"no broker answers", []string{"-brokers", "127.0.0.1:1"}, "", "127.0.0.1:1", false, kafkasink.ErrConnection},
		{"missing topic", []string{"-topics", "loging"}, brokers[0], `"loging" on ` + brokers[0] + ` (topics there: logging)`, false, tail.ErrNoTopic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			var out bytes.Buffer
			args := append([]string{"-ui", "127.0.0.1:0"}, tt.args...)
			err := run(ctx, args, &out, &out, []string{"KAFKA_BROKERS=" + tt.env})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || errors.As(err, new(cli.UsageError)) != tt.usage ||
				tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("run: %v, want an error containing %q (usage error: %v, is %v)", err, tt.wantErr, tt.usage, tt.is)
			}
			if ctx.Err() != nil {
				t.Error("run waited for its context instead of failing")
			}
		})
	}
}

// -from-offset reads every partition from that offset on, and the pages
// say so with the date of the oldest request log held.
func TestReadsFromAnOffset(t *testing.T) {
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, "logging"))
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	date := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: "logging", Value: requestLog(fmt.Sprintf("/r%d", i), date.Add(time.Duration(i)*time.Minute))}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	out := &testkit.Buffer{}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-ui", "127.0.0.1:0", "-from-offset", "1", "-topics", "logging"}, out, out, []string{"KAFKA_BROKERS=" + brokers[0]})
	}()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	urlLine := regexp.MustCompile(`web view at (http://127\.0\.0\.1:\d+/)\n`)
	var list string
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(list, "/r2") {
		if time.Now().After(deadline) {
			t.Fatalf("/r2 not listed within 20s; output:\n%s\nlist:\n%s", out.String(), list)
		}
		time.Sleep(50 * time.Millisecond)
		if m := urlLine.FindStringSubmatch(out.String()); m != nil {
			list = testkit.Get(t, m[1])
		}
	}
	if strings.Contains(list, ">/r0<") || !strings.Contains(list, ">/r1<") {
		t.Errorf("reading from offset 1 lists /r0 or not /r1:\n%s", list)
	}
	if want := "read from offset 1 of every partition; <span id=\"held-from\">holds 2 from 2026-12-07 09:01:00 UTC on</span>"; !strings.Contains(list, want) {
		t.Errorf("the header does not say %s", want)
	}
}

// -since takes a duration ago, a time or a date; 0 in any unit reads
// everything.
func TestSinceForms(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		since string
		want  time.Time // zero: from the start
		from  string
	}{
		{"0", time.Time{}, "the start of every partition"},
		{"0m", time.Time{}, "the start of every partition"},
		{"90m", now.Add(-90 * time.Minute), "the last 90m (2026-12-07 10:30:00 UTC)"},
		{"2026-12-07T10:00:00+01:00", time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), "2026-12-07 09:00:00 UTC"},
		{"2026-12-06", time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), "2026-12-06 00:00:00 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.since, func(t *testing.T) {
			var cfg tail.Config
			from, err := readFrom(&cfg, tt.since, -1, true, now)
			if err != nil {
				t.Fatal(err)
			}
			if !cfg.Since.Equal(tt.want) || from != tt.from {
				t.Errorf("since %v, %q; want %v, %q", cfg.Since, from, tt.want, tt.from)
			}
		})
	}
}
