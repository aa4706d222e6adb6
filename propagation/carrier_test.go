package propagation_test

import (
	"context"
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	otelprop "go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelrelayer/otelrelayer/propagation"
)

const (
	traceIDHex  = "4bf92f3577b34da6a3ce929d0e0e4736"
	spanIDHex   = "00f067aa0ba902b7"
	traceparent = "00-" + traceIDHex + "-" + spanIDHex + "-01"
)

func h(key, value string) kgo.RecordHeader { return kgo.RecordHeader{Key: key, Value: []byte(value)} }

func TestCarrierGet(t *testing.T) {
	tests := []struct {
		name    string
		headers []kgo.RecordHeader
		key     string
		want    string
	}{
		{"no headers", nil, "traceparent", ""},
		{"missing key", []kgo.RecordHeader{h("a", "1")}, "traceparent", ""},
		{"present", []kgo.RecordHeader{h("a", "1"), h("traceparent", traceparent)}, "traceparent", traceparent},
		{"first of duplicates", []kgo.RecordHeader{h("k", "first"), h("k", "second")}, "k", "first"},
		{"keys are case sensitive", []kgo.RecordHeader{h("Traceparent", traceparent)}, "traceparent", ""},
		{"empty value", []kgo.RecordHeader{{Key: "k"}}, "k", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := propagation.NewCarrier(&tt.headers).Get(tt.key); got != tt.want {
				t.Errorf("Get(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestCarrierSet(t *testing.T) {
	tests := []struct {
		name       string
		headers    []kgo.RecordHeader
		key, value string
		want       []kgo.RecordHeader
	}{
		{"adds to nil headers", nil, "k", "v", []kgo.RecordHeader{h("k", "v")}},
		{"appends a new key after the others", []kgo.RecordHeader{h("a", "1")}, "k", "v", []kgo.RecordHeader{h("a", "1"), h("k", "v")}},
		{"replaces in place", []kgo.RecordHeader{h("a", "1"), h("k", "old"), h("b", "2")}, "k", "new", []kgo.RecordHeader{h("a", "1"), h("k", "new"), h("b", "2")}},
		{
			"removes duplicates, keeping the first position",
			[]kgo.RecordHeader{h("k", "1"), h("a", "x"), h("k", "2"), h("k", "3"), h("b", "y"), h("k", "4")},
			"k", "new",
			[]kgo.RecordHeader{h("k", "new"), h("a", "x"), h("b", "y")},
		},
		{"adjacent duplicates", []kgo.RecordHeader{h("k", "1"), h("k", "2"), h("k", "3")}, "k", "v", []kgo.RecordHeader{h("k", "v")}},
		{"empty value", []kgo.RecordHeader{h("k", "old")}, "k", "", []kgo.RecordHeader{h("k", "")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := slices.Clone(tt.headers)
			c := propagation.NewCarrier(&headers)
			c.Set(tt.key, tt.value)
			assertHeaders(t, headers, tt.want)
			if got := c.Get(tt.key); got != tt.value {
				t.Errorf("Get(%q) after Set = %q, want %q", tt.key, got, tt.value)
			}
		})
	}
}

func TestCarrierKeys(t *testing.T) {
	tests := []struct {
		name    string
		headers []kgo.RecordHeader
		want    []string
	}{
		{"no headers", nil, []string{}},
		{"in order", []kgo.RecordHeader{h("b", ""), h("a", ""), h("c", "")}, []string{"b", "a", "c"}},
		{"each once, at its first position", []kgo.RecordHeader{h("b", "1"), h("a", "1"), h("b", "2"), h("c", ""), h("a", "2")}, []string{"b", "a", "c"}},
		{"empty key", []kgo.RecordHeader{h("", "v"), h("", "w")}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := propagation.NewCarrier(&tt.headers).Keys(); !slices.Equal(got, tt.want) {
				t.Errorf("Keys() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInjectExtractRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		opts   []propagation.Option
		global otelprop.TextMapPropagator // installed for the test when set
	}{
		{name: "WithPropagator", opts: []propagation.Option{propagation.WithPropagator(otelprop.TraceContext{})}},
		{name: "global propagator", global: otelprop.TraceContext{}},
		{name: "WithPropagator overrides the global", opts: []propagation.Option{propagation.WithPropagator(otelprop.TraceContext{})}, global: otelprop.Baggage{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.global != nil {
				setGlobalPropagator(t, tt.global)
			}
			sc := spanContext(t, trace.FlagsSampled, "vendor=value,other=1")
			// A stale traceparent from an earlier hop must be replaced, not
			// duplicated.
			r := &kgo.Record{Headers: []kgo.RecordHeader{h("relayer-event-id", "e1"), h("traceparent", "stale"), h("traceparent", "stale too")}}
			propagation.Inject(trace.ContextWithSpanContext(t.Context(), sc), r, tt.opts...)

			assertHeaders(t, r.Headers, []kgo.RecordHeader{
				h("relayer-event-id", "e1"), h("traceparent", traceparent), h("tracestate", "vendor=value,other=1"),
			})
			got := trace.SpanContextFromContext(propagation.Extract(t.Context(), r, tt.opts...))
			if want := sc.WithRemote(true); !got.Equal(want) {
				t.Errorf("extracted %+v, want %+v", got, want)
			}
		})
	}
}

func TestInjectExtractBaggage(t *testing.T) {
	p := propagation.WithPropagator(otelprop.NewCompositeTextMapPropagator(otelprop.TraceContext{}, otelprop.Baggage{}))
	bag, err := baggage.Parse("tenant=acme,region=eu")
	if err != nil {
		t.Fatal(err)
	}
	ctx := baggage.ContextWithBaggage(trace.ContextWithSpanContext(t.Context(), spanContext(t, 0, "")), bag)
	var r kgo.Record
	propagation.Inject(ctx, &r, p)
	got := baggage.FromContext(propagation.Extract(t.Context(), &r, p))
	for _, key := range []string{"tenant", "region"} {
		if got.Member(key).Value() != bag.Member(key).Value() {
			t.Errorf("baggage %s = %q, want %q", key, got.Member(key).Value(), bag.Member(key).Value())
		}
	}
	if !trace.SpanContextFromContext(propagation.Extract(t.Context(), &r, p)).IsValid() {
		t.Error("trace context lost next to baggage")
	}
}

func TestInjectWithoutSpanContextWritesNothing(t *testing.T) {
	r := &kgo.Record{Headers: []kgo.RecordHeader{h("a", "1")}}
	propagation.Inject(t.Context(), r, propagation.WithPropagator(otelprop.TraceContext{}))
	assertHeaders(t, r.Headers, []kgo.RecordHeader{h("a", "1")})
}

func TestExtractWithoutValidTraceparent(t *testing.T) {
	tests := []struct {
		name    string
		headers []kgo.RecordHeader
	}{
		{"no headers", nil},
		{"unrelated headers", []kgo.RecordHeader{h("relayer-event-id", "e1")}},
		{"empty traceparent", []kgo.RecordHeader{h("traceparent", "")}},
		{"garbage", []kgo.RecordHeader{h("traceparent", "not a traceparent")}},
		{"truncated", []kgo.RecordHeader{h("traceparent", traceparent[:30])}},
		{"forbidden version ff", []kgo.RecordHeader{h("traceparent", "ff-"+traceIDHex+"-"+spanIDHex+"-01")}},
		{"upper-case hex", []kgo.RecordHeader{h("traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-"+spanIDHex+"-01")}},
		{"zero trace ID", []kgo.RecordHeader{h("traceparent", "00-00000000000000000000000000000000-"+spanIDHex+"-01")}},
		{"zero span ID", []kgo.RecordHeader{h("traceparent", "00-"+traceIDHex+"-0000000000000000-01")}},
		{"version 00 with an extra field", []kgo.RecordHeader{h("traceparent", traceparent+"-extra")}},
		{"binary", []kgo.RecordHeader{{Key: "traceparent", Value: []byte{0, 0xff, '-', 0x80}}}},
		{"only tracestate", []kgo.RecordHeader{h("tracestate", "vendor=value")}},
	}
	opt := propagation.WithPropagator(otelprop.TraceContext{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &kgo.Record{Headers: tt.headers}
			if sc := trace.SpanContextFromContext(propagation.Extract(t.Context(), r, opt)); sc.IsValid() {
				t.Errorf("extracted a valid span context %+v", sc)
			}

			// ctx is left as it was, its span context included.
			type ctxKey struct{}
			local := spanContext(t, trace.FlagsSampled, "")
			ctx := context.WithValue(trace.ContextWithSpanContext(t.Context(), local), ctxKey{}, "kept")
			got := propagation.Extract(ctx, r, opt)
			if sc := trace.SpanContextFromContext(got); !sc.Equal(local) {
				t.Errorf("span context = %+v, want the original %+v", sc, local)
			}
			if got.Value(ctxKey{}) != "kept" {
				t.Error("Extract dropped a value of ctx")
			}
		})
	}
}

func FuzzCarrier(f *testing.F) {
	f.Add("traceparent", traceparent, "tracestate", "vendor=value", "k", "v")
	f.Add("traceparent", "garbage", "traceparent", traceparent, "traceparent", "")
	f.Add("", "", "", "\x00\xff", "baggage", "a=b")
	f.Add("tracestate", "a=1,,b=2", "traceparent", "01-"+traceIDHex+"-"+spanIDHex+"-ff-extra", "k", "k")
	tc := propagation.WithPropagator(otelprop.TraceContext{})
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, setKey, setValue string) {
		headers := []kgo.RecordHeader{h(k1, v1), h(k2, v2), h(k1, v2)}
		r := &kgo.Record{Headers: headers}
		ctx := propagation.Extract(context.Background(), r, tc)
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			// What was accepted survives another hop unchanged.
			var next kgo.Record
			propagation.Inject(ctx, &next, tc)
			again := trace.SpanContextFromContext(propagation.Extract(context.Background(), &next, tc))
			if again.TraceID() != sc.TraceID() || again.SpanID() != sc.SpanID() || again.TraceFlags() != sc.TraceFlags() {
				t.Errorf("re-injected %+v, extracted %+v", sc, again)
			}
		}

		c := propagation.NewCarrier(&r.Headers)
		c.Set(setKey, setValue)
		if got := c.Get(setKey); got != setValue {
			t.Errorf("Get(%q) = %q after Set %q", setKey, got, setValue)
		}
		n := 0
		for _, hd := range r.Headers {
			if hd.Key == setKey {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d headers named %q after Set, want 1", n, setKey)
		}
		keys := c.Keys()
		seen := make(map[string]bool, len(keys))
		for _, k := range keys {
			if seen[k] {
				t.Errorf("Keys() = %q lists %q twice", keys, k)
			}
			seen[k] = true
		}
		for _, hd := range r.Headers {
			if !seen[hd.Key] {
				t.Errorf("Keys() = %q misses %q", keys, hd.Key)
			}
		}
		propagation.Extract(context.Background(), r, tc) // must not panic
	})
}

func spanContext(t *testing.T, flags trace.TraceFlags, state string) trace.SpanContext {
	t.Helper()
	tid, err := trace.TraceIDFromHex(traceIDHex)
	if err != nil {
		t.Fatal(err)
	}
	sid, err := trace.SpanIDFromHex(spanIDHex)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := trace.ParseTraceState(state)
	if err != nil {
		t.Fatal(err)
	}
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: flags, TraceState: ts})
}

// setGlobalPropagator installs p as the global propagator until t ends.
func setGlobalPropagator(t *testing.T, p otelprop.TextMapPropagator) {
	prev := otel.GetTextMapPropagator()
	otel.SetTextMapPropagator(p)
	t.Cleanup(func() { otel.SetTextMapPropagator(prev) })
}

func assertHeaders(t *testing.T, got, want []kgo.RecordHeader) {
	t.Helper()
	if !slices.EqualFunc(got, want, func(a, b kgo.RecordHeader) bool {
		return a.Key == b.Key && string(a.Value) == string(b.Value)
	}) {
		t.Errorf("headers = %s, want %s", format(got), format(want))
	}
}

func format(hs []kgo.RecordHeader) []string {
	out := make([]string, len(hs))
	for i, hd := range hs {
		out[i] = hd.Key + ": " + string(hd.Value)
	}
	return out
}
