package kafkasink

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

type spoolConfig struct {
	set            bool // WithSpool was given
	dir            string
	maxBytes       int64
	commitInterval time.Duration
}

// DefaultSpoolMaxBytes is the default bound of [WithSpoolMaxBytes]: 1 GiB of
// records waiting for the broker.
const DefaultSpoolMaxBytes = 1 << 30

// WithSpool puts a write-ahead log on disk in dir (created if missing,
// 0700) between Produce and Kafka. Every message is appended to it before it
// is produced and leaves it once the broker acknowledged it, so that a Kafka
// outage does not make Produce wait and a crash loses no message whose
// Produce returned. See "Spool" in the package documentation for the
// guarantees, the bounds and what the done callback receives. An empty dir
// makes [New] fail with [ErrConfiguration]; a directory that cannot be used
// (not writable, held by another producer, holding a damaged spool) makes it
// fail with [ErrSpool]. Without WithSpool, messages wait in memory only.
func WithSpool(dir string) Option {
	return optionFunc(func(c config) config {
		c.spool.set, c.spool.dir = true, dir
		return c
	})
}

// WithSpoolMaxBytes bounds the bytes of records the spool holds (encoded
// keys, values, headers and topics, about 20 bytes each more than the
// message), overriding [DefaultSpoolMaxBytes]. When the bound is reached,
// Produce waits for room until its context is done, and a context already
// done fails at once; the message then fails with [ErrSpoolFull]. A tenth of
// the bound is kept for messages given with [ProduceOptions] Reserve. The file on disk is larger by the store's page overhead and
// does not shrink: freed pages are reused. Values below 1 make [New] fail;
// it has no effect without [WithSpool].
func WithSpoolMaxBytes(n int64) Option {
	return optionFunc(func(c config) config {
		c.spool.maxBytes = n
		return c
	})
}

// WithSpoolCommitInterval relaxes the spool's durability for throughput. By
// default (0) Produce returns once the message is written and fsync'ed,
// concurrent callers sharing one fsync (group commit); right after a commit,
// the next one waits for the callers the last one released to come back, at
// most as long as the last commit took (and at most 2ms), so that under load
// they share one commit rather than two. With d > 0, Produce
// returns once the message is queued for the spool, and the queue is
// committed (written and fsync'ed in one transaction) every d: a crash of
// the process or of the machine loses the messages accepted in the last d
// before it, at most, and nothing older. Memory stays bounded: while the
// messages waiting for the next commit weigh more than a tenth of
// [WithMaxBufferedBytes], Produce waits for that commit, as by default
// (with a context already done it does not wait, and fails the message
// with [ErrBufferFull] once nine tenths of [WithMaxBufferedBytes] wait, all
// of it for messages given with [ProduceOptions] Reserve).
// Negative values make [New] fail; it has no effect without [WithSpool].
func WithSpoolCommitInterval(d time.Duration) Option {
	return optionFunc(func(c config) config {
		c.spool.commitInterval = d
		return c
	})
}

// ErrSpool reports that the spool's directory or file cannot be used: from
// [New] (not writable, held by another producer, damaged), and through a
// message's done callback when writing it to the spool failed (a full disk),
// in which case the message was neither spooled nor produced.
var ErrSpool = errors.New("kafkasink: spool")

// ErrNotCommitted is given to a message's done callback when the context
// passed to Produce ended before the spool's commit of the message was
// made (a stalled disk): Produce returns then, within its context, but the
// message stays queued and may still become durable, and be delivered, when
// the disk catches up. It wraps the context's error.
var ErrNotCommitted = errors.New("kafkasink: the spool's commit was not made within the context; the message may still become durable")

// ErrSpoolFull is given to a message's done callback when the spool stayed
// at its bound ([WithSpoolMaxBytes]) until the context passed to Produce was
// done. It wraps [ErrBufferFull], so that a caller's back-pressure policy
// treats it like a full buffer, and the context's error.
var ErrSpoolFull = fmt.Errorf("%w: spool full", ErrBufferFull)

// ErrSpooled says that messages are safe in the spool but not delivered
// yet. A message's done callback gets it when its delivery result will not
// be reported: at Close, for the messages still waiting for Kafka (the next
// [New] on the same directory produces them), and while the broker is away
// or refuses the topic, for the messages that wait on disk only, beyond
// those whose callbacks are kept in memory (as many as
// [WithMaxBufferedRecords] in flight plus a tenth as many waiting). It is
// not a failure of the message: it is not lost, as long as the directory
// outlives the process. Should the broker refuse it for good once produced
// (an error about the record itself, such as MESSAGE_TOO_LARGE), it leaves
// the spool and the producer's logger ([WithLogger]) says so, with its
// event ID.
//
// [Producer.Close] returns an error wrapping ErrSpooled when records remain
// in the spool: it says how many and in which file, so that a deployment on
// an ephemeral disk can alert or wait.
var ErrSpooled = errors.New("kafkasink: message kept in the spool, to be produced later")

// spoolError reports an invalid spool option, or nil.
func (c config) spoolError() error {
	s := c.spool
	switch {
	case !s.set:
		return nil
	case strings.TrimSpace(s.dir) == "":
		return errors.New("WithSpool(\"\"): the spool needs a directory")
	case s.maxBytes < 1:
		return fmt.Errorf("WithSpoolMaxBytes(%d) must be at least 1", s.maxBytes)
	case s.commitInterval < 0:
		return fmt.Errorf("WithSpoolCommitInterval(%v) must be 0 (fsync before Produce returns) or positive", s.commitInterval)
	}
	return nil
}

// DefaultSpoolAttemptTimeout is how long a spooled record may wait in
// franz-go (for a partition's leader, or retrying an error about its topic
// or cluster) before it goes back to the spool, to be produced again after
// a backoff, unless [WithDeliveryTimeout] is given: a stuck partition then
// holds the in-memory bounds at most this long, and the other topics' records
// flow meanwhile.
const DefaultSpoolAttemptTimeout = 10 * time.Second

// recordDeliveryTimeout is franz-go's RecordDeliveryTimeout. With a spool
// it bounds one attempt: the record goes back to disk when it expires.
func (c config) recordDeliveryTimeout() time.Duration {
	if c.spool.set && !c.deliveryTimeoutSet {
		return DefaultSpoolAttemptTimeout
	}
	return c.deliveryTimeout
}
