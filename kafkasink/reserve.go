package kafkasink

import "context"

type reservedKey struct{}

// Reserved returns a copy of ctx that lets a [Producer.Produce] call use the
// reserve: a tenth of the producer's record and byte bounds
// ([WithMaxBufferedRecords], [WithMaxBufferedBytes]) that other calls never
// take. The exporter marks the request logs it writes when a request ends
// (or is evicted, or at Shutdown) with it, so that events cannot take their
// room, whether their callers wait for buffer space (a live context) or not
// (a context already done).
//
// Whether a call waits is still up to ctx: a reserved call with a live
// context waits for room like any other, one with a context already done
// fails at once when even the reserve is full.
func Reserved(ctx context.Context) context.Context {
	return context.WithValue(ctx, reservedKey{}, true)
}

func isReserved(ctx context.Context) bool {
	r, _ := ctx.Value(reservedKey{}).(bool)
	return r
}
