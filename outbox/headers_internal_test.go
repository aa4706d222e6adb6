package outbox

import (
	"reflect"
	"testing"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

func TestHeadersRoundTrip(t *testing.T) {
	cases := map[string][]kafkasink.Header{
		"none":         nil,
		"trace and id": {{Key: "traceparent", Value: []byte("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")}, {Key: "relayer-event-id", Value: []byte("x")}},
		"empty value":  {{Key: "k", Value: []byte{}}},
		"binary":       {{Key: "b", Value: []byte{0, 255, 1}}},
	}
	for name, hs := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := decodeHeaders(appendHeaders(nil, hs))
			if err != nil {
				t.Fatal(err)
			}
			if len(hs) == 0 && len(got) == 0 {
				return
			}
			if !reflect.DeepEqual(got, hs) {
				t.Errorf("got %q, want %q", got, hs)
			}
		})
	}
}

func FuzzDecodeHeaders(f *testing.F) {
	f.Add(appendHeaders(nil, []kafkasink.Header{{Key: "a", Value: []byte("b")}}))
	f.Add([]byte{1, 200})
	f.Fuzz(func(t *testing.T, b []byte) {
		hs, err := decodeHeaders(b)
		if err != nil {
			return
		}
		again, err := decodeHeaders(appendHeaders(nil, hs))
		if err != nil || len(again) != len(hs) {
			t.Fatalf("re-encoding %q: %v", hs, err)
		}
	})
}
