package outbox

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// The headers column holds a message's headers in order: a version byte
// (1), then per header its key and value, each as a uvarint length followed
// by the bytes.
const headersVersion = 1

func appendHeaders(dst []byte, hs []kafkasink.Header) []byte {
	dst = append(dst, headersVersion)
	for _, h := range hs {
		dst = binary.AppendUvarint(dst, uint64(len(h.Key)))
		dst = append(dst, h.Key...)
		dst = binary.AppendUvarint(dst, uint64(len(h.Value)))
		dst = append(dst, h.Value...)
	}
	return dst
}

var errHeaders = errors.New("outbox: damaged headers column")

// decodeHeaders decodes what appendHeaders wrote; values are copies.
func decodeHeaders(b []byte) ([]kafkasink.Header, error) {
	if len(b) == 0 || b[0] != headersVersion {
		return nil, fmt.Errorf("%w: unknown version", errHeaders)
	}
	b = b[1:]
	var hs []kafkasink.Header
	next := func() ([]byte, error) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, fmt.Errorf("%w: truncated", errHeaders)
		}
		v := b[w : w+int(n)]
		b = b[w+int(n):]
		return v, nil
	}
	for len(b) > 0 {
		k, err := next()
		if err != nil {
			return nil, err
		}
		v, err := next()
		if err != nil {
			return nil, err
		}
		hs = append(hs, kafkasink.Header{Key: string(k), Value: append([]byte{}, v...)})
	}
	return hs, nil
}
