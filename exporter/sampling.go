package exporter

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/metric"
)

// DefaultSlowRequest is the duration from which [WithRequestLogSampling]
// keeps a request log whatever the rate, when given a threshold of 0.
const DefaultSlowRequest = time.Second

// MetricSampledOutRequestLogs counts the request logs that
// [WithRequestLogSampling] left out.
const MetricSampledOutRequestLogs = "otelrelayer.request_logs.sampled_out"

// WithRequestLogSampling writes a fraction of the ordinary request logs
// (tail sampling: decided when the request ends, knowing how it went) and
// every request log worth reading. A request log is always kept when its
// request has
//
//   - an error line: a Log at level error, critical, fatal, panic, alert or
//     emergency (any case), or above one of them as log/slog names it
//     ("error+4"), a recorded exception or an error status of any
//     of its spans (which become error lines);
//   - an HTTP status of 500 or more;
//   - dropped lines or dropped events, or it was evicted;
//   - a duration of slowerThan or more: 0 means [DefaultSlowRequest] (1s), a
//     negative duration keeps no request for its duration alone.
//
// Of the others, rate (0 to 1) is kept, decided from the trace ID exactly
// as the SDK's TraceIDRatioBased sampler decides: every service of one
// trace, every process and every processor with the same rate keeps the
// same requests, and with TraceIDRatioBased(rate) as the trace sampler the
// kept request logs are those of the sampled traces.
//
// Every request log written while sampling is on carries "sample_rate": the
// probability it had of being kept, 1 for those always kept and rate for
// the others, so that counts re-weighted by 1/sample_rate estimate the
// totals. One-line request logs of Log calls outside any request are
// always kept (sample_rate 1). Events are never sampled: Emit writes every
// event whatever the rate. Request logs left out are counted by the
// [MetricSampledOutRequestLogs] counter.
//
// The default is no sampling: every request log is written, without
// sample_rate. A rate below 0, above 1 or NaN makes [New] fail with
// [ErrConfiguration]; WithRequestLogSampling(1, …) writes every request log
// with sample_rate 1.
func WithRequestLogSampling(rate float64, slowerThan time.Duration) Option {
	return optionFunc(func(c config) config {
		c.sampling = &samplingConfig{rate: rate, slowerThan: slowerThan}
		return c
	})
}

type samplingConfig struct {
	rate       float64
	slowerThan time.Duration
}

// sampler decides which request logs are written.
type sampler struct {
	rate       float64
	rateText   []byte // rate as written in sample_rate
	bound      uint64 // TraceIDRatioBased's: keep when the trace ID's low 63 bits are below
	slowerThan time.Duration
	sampledOut metric.Int64Counter
}

// newSampler returns nil when sampling is off.
func newSampler(c *samplingConfig, mp metric.MeterProvider) (*sampler, error) {
	if c == nil {
		return nil, nil
	}
	if math.IsNaN(c.rate) || c.rate < 0 || c.rate > 1 {
		return nil, fmt.Errorf("%w: WithRequestLogSampling(%v, …): the rate must be from 0 to 1", ErrConfiguration, c.rate)
	}
	s := &sampler{
		rate:       c.rate,
		rateText:   strconv.AppendFloat(nil, c.rate, 'g', -1, 64),
		bound:      uint64(c.rate * (1 << 63)),
		slowerThan: c.slowerThan,
	}
	if s.slowerThan == 0 {
		s.slowerThan = DefaultSlowRequest
	}
	var err error
	s.sampledOut, err = mp.Meter(meterName).Int64Counter(MetricSampledOutRequestLogs, metric.WithUnit("{request_log}"),
		metric.WithDescription("Request logs left out by WithRequestLogSampling."))
	if err != nil {
		return nil, fmt.Errorf("exporter: creating metrics: %w", err)
	}
	return s, nil
}

// alwaysRate is sample_rate for request logs kept whatever the rate.
var alwaysRate = []byte("1")

// decide returns the sample_rate text of a request log to write, or nil
// when it is left out (and then counts it). lines holds the lines that will
// be written, ends their cumulative ends; dropped counts every line left
// out, the size bound's included.
func (s *sampler) decide(h *requestHead, lines []byte, ends []int32, dropped, droppedEvents int, evicted bool) []byte {
	switch {
	case dropped > 0 || droppedEvents > 0 || evicted,
		h.info.status.set && h.info.status.value >= 500,
		s.slowerThan > 0 && h.elapsed >= s.slowerThan,
		hasErrorLine(lines, ends):
		return alwaysRate
	}
	tid := h.span.TraceID()
	if binary.BigEndian.Uint64(tid[8:16])>>1 < s.bound {
		return s.rateText
	}
	add(s.sampledOut, 1)
	return nil
}

// hasErrorLine reports whether one of the lines is a log line at an error
// level. Lines are as encoded (appendLogLine, appendErrorLines): a log
// line starts with {"log_level":"…", each but the first after a comma.
func hasErrorLine(lines []byte, ends []int32) bool {
	const prefix = `{"log_level":"`
	start := 0
	for _, end := range ends {
		line := lines[start:end]
		start = int(end)
		if len(line) > 0 && line[0] == ',' {
			line = line[1:]
		}
		if !bytes.HasPrefix(line, []byte(prefix)) {
			continue
		}
		level := line[len(prefix):]
		if i := bytes.IndexByte(level, '"'); i >= 0 && isErrorLevel(level[:i]) {
			return true
		}
	}
	return false
}

// errorLevels are the levels of lines that keep their request log.
var errorLevels = []string{"error", "critical", "fatal", "panic", "alert", "emergency"}

func isErrorLevel(level []byte) bool {
	// A level above one of these, as slog names it ("error+4"), is one too.
	if i := bytes.IndexByte(level, '+'); i > 0 && isDigits(level[i+1:]) {
		level = level[:i]
	}
	for _, l := range errorLevels {
		if bytes.EqualFold(level, []byte(l)) {
			return true
		}
	}
	return false
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}
