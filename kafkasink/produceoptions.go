package kafkasink

import "context"

// ProduceOptions says how one message may use a sink's buffer. The zero
// value is what [Sink.Produce] does: wait for room while ctx allows, never
// take the reserve.
type ProduceOptions struct {
	// NoWait makes the call fail the message at once with [ErrBufferFull]
	// when the buffer is full, rather than wait for room: kgo's TryProduce
	// beside Produce. A caller that must not block sets it. With
	// [WithSpool], it does not wait for room, but still waits for the
	// commit that makes the message durable, within ctx (see Spool in the
	// package documentation).
	NoWait bool

	// Reserve lets the message use the share of the buffer's bounds kept
	// in reserve (a tenth of [WithMaxBufferedRecords],
	// [WithMaxBufferedBytes] and [WithSpoolMaxBytes]), which other messages
	// never take: messages a caller cannot afford to lose behind a flood of
	// others (a summary written once per unit of work) set it.
	Reserve bool
}

// OptionsSink is a [Sink] that takes [ProduceOptions] for each message. A
// caller detects it with a type assertion and falls back to
// [Sink.Produce] for sinks without it (an in-memory or console sink that
// never waits has no use for it). [*Producer] implements it.
type OptionsSink interface {
	Sink

	// ProduceWith is [Sink.Produce] with o: with o.NoWait it never waits,
	// whatever ctx; otherwise it waits for room within ctx. done is called
	// exactly once, as for Produce.
	ProduceWith(ctx context.Context, m Message, o ProduceOptions, done func(error))
}
