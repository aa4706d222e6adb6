package propagation

import (
	"github.com/twmb/franz-go/pkg/kgo"
	otelprop "go.opentelemetry.io/otel/propagation"
)

// Carrier is a TextMapCarrier over Kafka record headers. The zero value is
// not usable; create one with [NewCarrier].
type Carrier struct {
	headers *[]kgo.RecordHeader
}

var _ otelprop.TextMapCarrier = Carrier{}

// NewCarrier returns a carrier that reads and writes *headers.
func NewCarrier(headers *[]kgo.RecordHeader) Carrier {
	return Carrier{headers: headers}
}

// Get returns the value of the first header named key, or "".
func (c Carrier) Get(key string) string {
	for _, h := range *c.headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// Set replaces the value of the headers named key, or adds one.
func (c Carrier) Set(key, value string) {
	hs := *c.headers
	found := false
	for i := 0; i < len(hs); i++ {
		if hs[i].Key != key {
			continue
		}
		if found { // drop duplicates so Get and the consumer agree
			hs = append(hs[:i], hs[i+1:]...)
			i--
			continue
		}
		hs[i].Value = []byte(value)
		found = true
	}
	if !found {
		hs = append(hs, kgo.RecordHeader{Key: key, Value: []byte(value)})
	}
	*c.headers = hs
}

// Keys lists the header keys, in order, each once.
func (c Carrier) Keys() []string {
	keys := make([]string, 0, len(*c.headers))
outer:
	for _, h := range *c.headers {
		for _, k := range keys {
			if k == h.Key {
				continue outer
			}
		}
		keys = append(keys, h.Key)
	}
	return keys
}
