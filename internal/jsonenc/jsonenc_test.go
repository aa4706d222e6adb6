package jsonenc

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAppendValueMatchesEncodingJSON(t *testing.T) {
	type point struct {
		X, Y int
	}
	tests := []struct {
		name string
		v    any
	}{
		{"nil", nil},
		{"string", "héllo \"w\"\n\t\x01 \u2028"},
		{"ascii", "plain"},
		{"bool", true},
		{"int", -42},
		{"int64", int64(math.MaxInt64)},
		{"uint64", uint64(math.MaxUint64)},
		{"float", 3.25},
		{"small float", 1e-9},
		{"large float", 1e22},
		{"float32", float32(0.1)},
		{"map", map[string]any{"b": 1, "a": []any{"x", 2.5, nil, map[string]any{"z": false}}}},
		{"big map", bigMap(40)},
		{"struct", point{1, 2}},
		{"slice of structs", []point{{1, 2}}},
		{"raw", json.RawMessage(`{"k":[1,2]}`)},
		{"nil slice", []any(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendValue(nil, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(tt.v)
			if !jsonEqual(t, got, want) {
				t.Fatalf("AppendValue = %s, encoding/json = %s", got, want)
			}
		})
	}
}

func TestAppendValueRejects(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	tests := []struct {
		name string
		v    any
	}{
		{"channel", make(chan int)},
		{"function", func() {}},
		{"NaN", math.NaN()},
		{"+Inf", math.Inf(1)},
		{"float32 NaN", float32(math.NaN())},
		{"NaN in map", map[string]any{"a": math.NaN()}},
		{"channel in slice", []any{1, make(chan int)}},
		{"cycle", cyclic},
		{"invalid raw", json.RawMessage(`{"a":`)},
		{"complex", complex(1, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte("prefix")
			out, err := AppendValue(dst, tt.v)
			if err == nil {
				t.Fatalf("AppendValue(%T) = %s, want an error", tt.v, out)
			}
			if string(out) != "prefix" {
				t.Fatalf("dst was changed to %q on error", out)
			}
		})
	}
}

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"abc", `"abc"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"\n\r\t\x00\x1f", `"\n\r\t\u0000\u001f"`},
		{"<&>", `"<&>"`},
		{"\xff", `"\ufffd"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
		{"日本", `"日本"`},
	}
	for _, tt := range tests {
		if got := string(AppendString(nil, tt.in)); got != tt.want {
			t.Errorf("AppendString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var back string
		if err := json.Unmarshal(AppendString(nil, tt.in), &back); err != nil {
			t.Errorf("AppendString(%q) is not valid JSON: %v", tt.in, err)
		}
	}
}

func TestAppendTimeAndMillis(t *testing.T) {
	ts := time.Date(2026, 11, 27, 5, 3, 52, 537020999, time.FixedZone("x", 3600))
	if got := string(AppendTime(nil, ts)); got != `"2026-11-27T04:03:52.537020Z"` {
		t.Fatalf("AppendTime = %s", got)
	}
	if got := string(AppendMillis(nil, 2968*time.Microsecond+400)); got != "2.968" {
		t.Fatalf("AppendMillis = %s", got)
	}
}

func FuzzAppendTime(f *testing.F) {
	f.Add(int64(1795000000), int64(537020999))
	f.Add(int64(-62135596800), int64(0))
	f.Add(int64(253402300799), int64(999999999))
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		ts := time.Unix(sec, nsec%1_000_000_000)
		want := `"` + ts.UTC().Format(TimeLayout) + `"`
		if got := string(AppendTime(nil, ts)); got != want {
			t.Fatalf("AppendTime(%v) = %s, time.Format gives %s", ts, got, want)
		}
	})
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\xff\xfe", "\u2028", "日本\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendString(nil, s)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("AppendString(%q) = %s is not valid JSON: %v", s, out, err)
		}
		want, _ := json.Marshal(s) // encoding/json's view of the same string
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Fatalf("round trip of %q = %q, encoding/json gives %q", s, back, wantBack)
		}
	})
}

func FuzzAppendValue(f *testing.F) {
	f.Add(`{"a":[1,2.5,"x",null,true,{"b":{}}]}`)
	f.Add(`"str"`)
	f.Add(`1e300`)
	f.Fuzz(func(t *testing.T, doc string) {
		var v any
		if json.Unmarshal([]byte(doc), &v) != nil {
			return
		}
		got, err := AppendValue(nil, v)
		if err != nil {
			t.Fatalf("AppendValue(%s): %v", doc, err)
		}
		want, _ := json.Marshal(v)
		if !jsonEqual(t, got, want) {
			t.Fatalf("AppendValue = %s, encoding/json = %s", got, want)
		}
	})
}

func bigMap(n int) map[string]any {
	m := map[string]any{}
	for i := range n {
		m[strings.Repeat("k", i+1)] = i
	}
	return m
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("invalid JSON %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// AppendMillis by integers writes what formatting the float wrote.
func TestAppendMillisMatchesFloatFormatting(t *testing.T) {
	want := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64)
	}
	ds := []time.Duration{0, 1, 999, 1000, -1, -999, -1000, -1001, time.Microsecond, -time.Microsecond,
		999 * time.Microsecond, -999 * time.Microsecond, time.Millisecond, 59 * time.Second,
		time.Duration(1<<50-1) * time.Microsecond, time.Duration(1<<50) * time.Microsecond,
		-time.Duration(1<<50) * time.Microsecond, math.MaxInt64, math.MinInt64}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		ds = append(ds, time.Duration(r.Int64N(1<<40)-1<<39), time.Duration(r.Int64()))
	}
	for _, d := range ds {
		if got := string(AppendMillis(nil, d)); got != want(d) {
			t.Fatalf("AppendMillis(%d) = %s, want %s", int64(d), got, want(d))
		}
	}
}

// AppendTime keeps the latest second's text: times around a second's
// boundary, and from earlier seconds, in any order, are each written right.
func TestAppendTimeAcrossSeconds(t *testing.T) {
	base := time.Date(2026, 12, 31, 23, 59, 58, 0, time.UTC)
	r := rand.New(rand.NewPCG(3, 4))
	for range 100_000 {
		ts := base.Add(time.Duration(r.Int64N(int64(4*time.Second))) - time.Second)
		want := `"` + ts.Format(TimeLayout) + `"`
		if got := string(AppendTime(nil, ts)); got != want {
			t.Fatalf("AppendTime(%v) = %s, want %s", ts, got, want)
		}
	}
}

// A time ahead of the clock (a caller's timestamp, or the clock stepped back
// since) does not keep AppendTime from caching the present: the kept second
// follows the wall clock again.
func TestAppendTimeKeepsThePresentAfterAFutureTime(t *testing.T) {
	for _, future := range []time.Time{time.Date(9000, 1, 2, 3, 4, 5, 0, time.UTC), time.Now().Add(time.Hour)} {
		AppendTime(nil, future)
		now := time.Now()
		AppendTime(nil, now)
		if last := lastSecond.Load(); last == nil || last.sec != now.Unix() {
			t.Fatalf("after %v, AppendTime(now) keeps the second %v, want %v: every later call formats its second again",
				future, time.Unix(last.sec, 0).UTC(), time.Unix(now.Unix(), 0).UTC())
		}
	}
	// The clock stepped back an hour after the kept second was current.
	now := time.Now()
	lastSecond.Store(&secondText{sec: now.Unix() + 3600})
	if got, want := string(AppendTime(nil, now)), `"`+now.UTC().Format(TimeLayout)+`"`; got != want {
		t.Fatalf("AppendTime(now) = %s, want %s", got, want)
	}
	if last := lastSecond.Load(); last.sec != now.Unix() {
		t.Fatalf("after the clock stepped back, AppendTime(now) keeps the second %v, want %v",
			time.Unix(last.sec, 0).UTC(), time.Unix(now.Unix(), 0).UTC())
	}
}
