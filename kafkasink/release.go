package kafkasink

// MessageReleaser is an optional interface of a [Sink]. ReleasesMessages
// reports whether the sink keeps no reference to a message's Key, Value and
// Headers (nor to the headers' bytes) once it has called the message's done
// callback: from then on the caller may reuse that memory, and a pipeline
// that produces many messages pools it instead of leaving it to the garbage
// collector. A sink that keeps messages (a test recorder) or still produces
// them after done (the disk spool, whose done says the message is durable,
// not delivered) reports false, as does a sink without the method.
type MessageReleaser interface {
	ReleasesMessages() bool
}

var _ MessageReleaser = (*Producer)(nil)

// ReleasesMessages implements [MessageReleaser]: true without [WithSpool].
// franz-go is done with a record when it calls the record's promise, which
// calls done; with the spool, done comes at the commit, before the record
// is produced.
func (p *Producer) ReleasesMessages() bool {
	_, inMemory := p.path.(*memoryProducer)
	return inMemory
}
