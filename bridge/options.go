package bridge

import (
	"reflect"

	"github.com/google/uuid"
)

// PartitionKey is the set of types a partition key can have. The key decides
// the partition through franz-go's default partitioner, which hashes like the
// Java client (murmur2), so a key lands on the same partition whichever
// official client wrote it.
type PartitionKey interface {
	~string | ~[]byte | uuid.UUID
}

// EmitOption configures one Emit or EmitRaw call. It is a small value type so
// that passing options does not allocate.
type EmitOption struct {
	key    []byte
	hasKey bool
	ack    bool
}

// WithPartitionKey sets the record key: a string's bytes, a byte slice
// (copied), or a UUID's 16 bytes, as the Python library wrote them. Records
// with the same key go to the same partition, in order. Without a key,
// franz-go's sticky partitioner spreads records. A nil byte slice means no
// key (and removes a key given by an earlier option), while an empty
// non-nil slice or "" is an empty key, which hashes like any other.
func WithPartitionKey[K PartitionKey](key K) EmitOption {
	switch k := any(key).(type) {
	case string:
		return EmitOption{key: []byte(k), hasKey: true}
	case []byte:
		if k == nil {
			return EmitOption{hasKey: true} // no key
		}
		return EmitOption{key: append(make([]byte, 0, len(k)), k...), hasKey: true}
	case uuid.UUID:
		return EmitOption{key: append(make([]byte, 0, len(k)), k[:]...), hasKey: true}
	}
	// Named string and byte-slice types.
	v := reflect.ValueOf(key)
	if v.Kind() == reflect.String {
		return EmitOption{key: []byte(v.String()), hasKey: true}
	}
	if v.IsNil() {
		return EmitOption{hasKey: true} // no key
	}
	return EmitOption{key: append(make([]byte, 0, v.Len()), v.Bytes()...), hasKey: true}
}

// WithAck makes the call wait until the broker acknowledges the record (or
// the context is done) and return the delivery error. Without it, Emit
// returns once the record is handed to the producer, and delivery failures
// go to the pipeline's error handler. With a disk spool (kafkasink.WithSpool),
// an event kept on disk unacknowledged when the producer closes, or beyond
// what it tracks in memory during an outage, returns an error wrapping
// kafkasink.ErrSpooled: not acknowledged, but not lost either (it is
// produced later, by the next process on the spool if need be), and not
// counted in dropped_events.
//
// When the context ends first (also when it was already done: a consumer's
// poll context), Emit returns an error wrapping the context's error, but the
// event was handed to the producer and may still be delivered: do not retry
// it, that may write it twice. Its line in the request log, like that of a
// spooled event, is marked "unacknowledged":true; a later failure goes to
// the error handler and counts in dropped_events.
func WithAck() EmitOption { return EmitOption{ack: true} }

type emitConfig struct {
	key []byte
	ack bool
}

func newEmitConfig(opts []EmitOption) emitConfig {
	var c emitConfig
	for _, o := range opts {
		if o.hasKey {
			c.key = o.key
		}
		c.ack = c.ack || o.ack
	}
	return c
}
