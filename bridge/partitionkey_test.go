package bridge_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

type orderID string

type rawKey []byte

func TestPartitionKeys(t *testing.T) {
	t.Parallel()
	id := uuid.MustParse("01890a5d-ac96-774b-bcce-b302099a8057")
	callerBytes := []byte("cust-1")
	fromCallerBytes := bridge.WithPartitionKey(callerBytes)
	callerBytes[0] = 'X' // the option must hold a copy
	callerNamed := rawKey("raw-1")
	fromCallerNamed := bridge.WithPartitionKey(callerNamed)
	callerNamed[0] = 'X'

	tests := []struct {
		name string
		opts []bridge.EmitOption
		want []byte // nil: no key
	}{
		{"no key", nil, nil},
		{"ack alone", []bridge.EmitOption{bridge.WithAck()}, nil},
		{"string", []bridge.EmitOption{bridge.WithPartitionKey("cust-1")}, []byte("cust-1")},
		{"bytes", []bridge.EmitOption{bridge.WithPartitionKey([]byte{0, 1, 0xff})}, []byte{0, 1, 0xff}},
		{"bytes are copied", []bridge.EmitOption{fromCallerBytes}, []byte("cust-1")},
		{"uuid is its 16 bytes", []bridge.EmitOption{bridge.WithPartitionKey(id)}, id[:]},
		{"named string", []bridge.EmitOption{bridge.WithPartitionKey(orderID("order-7"))}, []byte("order-7")},
		{"named bytes", []bridge.EmitOption{bridge.WithPartitionKey(rawKey{0, 'r'})}, []byte{0, 'r'}},
		{"named bytes are copied", []bridge.EmitOption{fromCallerNamed}, []byte("raw-1")},
		{"the last key wins", []bridge.EmitOption{bridge.WithPartitionKey("first"), bridge.WithPartitionKey(id), bridge.WithPartitionKey("last")}, []byte("last")},
		// Issue 11, point 7: a nil key is no key (records spread), not an
		// empty key that hashes every record to one partition.
		{"nil bytes are no key", []bridge.EmitOption{bridge.WithPartitionKey([]byte(nil))}, nil},
		{"nil named bytes are no key", []bridge.EmitOption{bridge.WithPartitionKey(rawKey(nil))}, nil},
		{"a last nil key removes the key", []bridge.EmitOption{bridge.WithPartitionKey("first"), bridge.WithPartitionKey([]byte(nil))}, nil},
		{"empty bytes are an empty key", []bridge.EmitOption{bridge.WithPartitionKey([]byte{})}, []byte{}},
		{"ack keeps the key", []bridge.EmitOption{bridge.WithPartitionKey("k"), bridge.WithAck()}, []byte("k")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := otelrelayertest.New(t)
			ctx, span := rec.Tracer().Start(t.Context(), "request")
			defer span.End()
			if err := bridge.Emit(ctx, "orders", "created", 1, tt.opts...); err != nil {
				t.Fatal(err)
			}
			if err := bridge.EmitRaw(ctx, "raw", 1, tt.opts...); err != nil {
				t.Fatal(err)
			}
			for _, topic := range []string{"orders", "raw"} {
				msgs := rec.Messages(topic)
				if len(msgs) != 1 {
					t.Fatalf("got %d messages on %s, want 1", len(msgs), topic)
				}
				if got := msgs[0].Key; !bytes.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
					t.Errorf("key on %s = %#v, want %#v", topic, got, tt.want)
				}
			}
		})
	}
}

var errBroker = errors.New("broker says no")
