package exporter

import (
	"encoding/json"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
)

// Whatever the keys and values, the attributes are one valid JSON object
// within the byte bound, and every attribute is written or counted.
func FuzzAttributesAreValidJSONWithinTheBound(f *testing.F) {
	f.Add("enduser.id", "42", "app.note", "\x00\"\\\u2028<>&", 100)
	f.Add("", "", "a", strings.Repeat("é", 50), 40)
	f.Add("http.request.header.authorization", "Bearer x", "password", "hunter2", 8<<10)
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string, maxBytes int) {
		if maxBytes < 1 || maxBytes > 1<<20 {
			return
		}
		root := []attribute.KeyValue{attribute.String(k1, v1), attribute.StringSlice(k2, []string{v2, v1})}
		set := []attribute.KeyValue{attribute.String(k2, v1)}
		b := attributeBounds{maxCount: 64, maxBytes: maxBytes, redacted: []string{"password"}}
		out, written, dropped := appendAttributes(nil, kindOther, root, set, attributeSelection{all: true}, b)
		if len(out) == 0 {
			if written != 0 {
				t.Fatalf("%d written, nothing encoded", written)
			}
			return
		}
		body := strings.TrimPrefix(string(out), `,"attributes":`)
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("not a JSON object: %v: %s", err, out)
		}
		if len(out) > maxBytes {
			t.Fatalf("%d bytes, the bound is %d: %s", len(out), maxBytes, out)
		}
		if written == 0 || written+dropped > 3 {
			t.Fatalf("%d written, %d dropped, of at most 3", written, dropped)
		}
		if strings.Contains(body, "hunter2") && strings.EqualFold(k2, "password") {
			t.Fatalf("a redacted value left: %s", out)
		}
	})
}

// minEncodedLen never says more than the encoding takes: what it leaves
// out before encoding could not have fitted.
func TestMinEncodedLenIsALowerBound(t *testing.T) {
	redacted := []string{"password"}
	values := map[string]attribute.Value{
		"empty":     {},
		"bool":      attribute.BoolValue(true),
		"int":       attribute.IntValue(0),
		"float":     attribute.Float64Value(1),
		"string":    attribute.StringValue(""),
		"escapes":   attribute.StringValue("\x00\"é\xff"),
		"bytes":     attribute.ByteSliceValue([]byte{1, 2, 3, 4}),
		"bools":     attribute.BoolSliceValue([]bool{true, true}),
		"one bool":  attribute.BoolSliceValue([]bool{true}),
		"no bools":  attribute.BoolSliceValue(nil),
		"ints":      attribute.Int64SliceValue([]int64{0, 1, 2}),
		"floats":    attribute.Float64SliceValue([]float64{0, 1}),
		"strings":   attribute.StringSliceValue([]string{"", "a"}),
		"slice":     attribute.SliceValue(attribute.IntValue(1), attribute.StringValue("")),
		"map":       attribute.MapValue(attribute.String("a", ""), attribute.String("Cookie", "x"), attribute.String("password", "x")),
		"empty map": attribute.MapValue(),
		"nested":    attribute.SliceValue(attribute.MapValue(attribute.Bool("b", false)), attribute.SliceValue()),
	}
	for name, v := range values {
		got, enc := minEncodedLen(v, 1<<30, redacted), len(appendAttributeValue(nil, v, redacted))
		if got > enc {
			t.Errorf("%s: lower bound %d, encoded %d bytes: %s", name, got, enc, appendAttributeValue(nil, v, redacted))
		}
	}
}

// A root whose attributes are all fields of the request log or the
// connection's (an HTTP request with no attribute of the handler's) writes
// no "attributes" and allocates nothing for it: the path without
// attributes is not slower.
func TestNoAttributeToWriteAllocatesNothing(t *testing.T) {
	root := []attribute.KeyValue{
		attribute.String("http.request.method", "GET"), attribute.String("url.path", "/orders/7"),
		attribute.String("url.scheme", "http"), attribute.String("server.address", "shop"), attribute.Int("server.port", 8080),
		attribute.String("network.peer.address", "127.0.0.1"), attribute.Int("network.peer.port", 50000),
		attribute.String("http.route", "/orders/{id}"), attribute.Int("http.response.status_code", 200),
		attribute.StringSlice("http.request.header.authorization", []string{"Bearer x"}),
	}
	b := attributeBounds{maxCount: DefaultMaxAttributes, maxBytes: DefaultMaxAttributeBytes}
	allocs := testing.AllocsPerRun(100, func() {
		if out, _, _ := appendAttributes(nil, kindHTTP, root, nil, attributeSelection{}, b); len(out) != 0 {
			t.Fatalf("wrote %s", out)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations to write no attribute", allocs)
	}
}
