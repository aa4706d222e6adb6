package kafkasink

import "sync/atomic"

// SpoolRecovery counts what the spool's recovery did with the records an
// earlier process left in it (see "Recovery after a crash" in the package
// documentation). The counts grow while recovery runs, from zero, and stay
// once it has ended; without [WithSpool], or with a spool found empty,
// they stay zero.
type SpoolRecovery struct {
	// Dir is the spool directory ([WithSpool]); empty without a spool.
	Dir string
	// Recovered is the records an earlier process left in the spool,
	// found at New.
	Recovered int64
	// Released is those found on the broker already: deleted from the
	// spool, not produced again.
	Released int64
	// Unchecked is those produced again without a check, each of which may
	// then be on the broker twice: a record without a relayer-event-id
	// header, or every record when the partitions' tails could not be read
	// (no Read or Describe ACL on the topic).
	Unchecked int64
}

// SpoolRecoverySink is a [Sink] that reports its spool's recovery, for
// metrics. A caller detects it with a type assertion; [*Producer]
// implements it.
type SpoolRecoverySink interface {
	Sink

	// SpoolRecovery returns the counts so far. It is safe for concurrent
	// use and never blocks.
	SpoolRecovery() SpoolRecovery
}

var _ SpoolRecoverySink = (*Producer)(nil)

// SpoolRecovery implements [SpoolRecoverySink]. It is zero without
// [WithSpool].
func (p *Producer) SpoolRecovery() SpoolRecovery {
	s, ok := p.path.(*spool)
	if !ok {
		return SpoolRecovery{}
	}
	return SpoolRecovery{
		Dir:       s.store.path,
		Recovered: s.recovery.recovered.Load(),
		Released:  s.recovery.released.Load(),
		Unchecked: s.recovery.unchecked.Load(),
	}
}

// recoveryCounts is where recoverEarlier counts; see [SpoolRecovery].
type recoveryCounts struct {
	recovered, released, unchecked atomic.Int64
}
