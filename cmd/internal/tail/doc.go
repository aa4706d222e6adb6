// Package tail reads otelrelayer's messages from Kafka for the tools that
// show them (relaytail, the dev broker's console tail, the web view). It
// imports franz-go, so it stays internal; consumers of the formats use
// package wire.
//
// API:
//
//   - [Open](ctx, [Config]) connects and checks, within Config.Timeout
//     (default [DefaultTimeout], 5s), that a broker answers and that every
//     topic in Config.Topics exists; it fails with an error wrapping
//     [ErrNoBroker] or [ErrNoTopic] that names the brokers or the topic (and
//     the topics that do exist). Nothing is consumed by a failed Open.
//   - Config.Topics empty reads every topic but Kafka's internal ones
//     (names starting with "__"), and topics created later, found within
//     about two seconds.
//   - Config.Since: zero reads every partition from its start; otherwise
//     only records stamped at or after Since (time.Now() for "new messages
//     only", which also catches the first messages of a topic created
//     later).
//   - Config.FromOffset > 0 starts every partition at that offset
//     instead (relayview -from-offset); it excludes Since.
//   - [Tail.Next](ctx) returns the next [Message], blocking until there is
//     one; ctx's error when ctx is done, [ErrClosed] after [Tail.Close].
//     A Tail is used by one goroutine at a time; Close may be called from
//     any goroutine, once Next is not running or to end it.
//   - Ordering: with Config.Window > 0 (relaytail uses [DefaultWindow]), a
//     message is held for at most Window after it arrived and messages are
//     returned in the order of [Message.Time] among those held, so that
//     request logs on different partitions come out in time order. Window
//     0 returns messages as they arrive (each partition in offset order).
//     At most [MaxHeld] messages, and values of [MaxHeldBytes] (64 MiB) in
//     all, are held; beyond that the earliest go out at once.
//   - Each [Message] carries the record (topic, partition, offset, key,
//     headers, value, timestamp) and what the value is ([Message.Kind]):
//     [KindRequestLog] with RequestLog set, [KindEvent] with Event set, or
//     [KindOther] with NotOurs saying why (not JSON, another shape, or a
//     decoding error). [Decode] classifies a value the same way.
//   - [ParseFilter](statuses, pathPrefix, tracePrefix) builds the [Filter]
//     of relaytail's -status, -path and -trace flags; [Filter.Match]
//     tests a request log.
//   - [ParseQuery](text, kind, now) builds the [Query] of the web view's
//     search and relaytail -q: key=value, key>=value… conditions and free
//     words, all of which must hold; [Query.MatchRequest] and
//     [Query.MatchEvent] test a message. Each key is one entry of the
//     queryKeys table ([QueryKeys] lists them per kind).
//   - Config.OnFetchError receives errors of single partitions while
//     reading (the client retries them); nil ignores them.
//   - Records are hostile: a fetched record batch may decompress to at
//     most [MaxBatchBytes] (16 MiB; franz-go's default is 1 GiB), and the
//     batches of a fetch stop being decompressed once they reach 16 MiB
//     in all (the rest is fetched again after they are read), so a fetch
//     holds at most 32 MiB decompressed, however many batches it brings.
//     A batch over the bound (a decompression
//     bomb) is not inflated: reading its partition goes on after it, and
//     Next returns one [KindSkipped] message naming the topic, the
//     partition and the offsets skipped. A record that claims an offset at
//     or past its partition's end (a delta forged in a batch that a broker
//     such as kfake stores as written) is skipped the same way, one offset
//     at a time, instead of moving reading past everything written after
//     it. A forged offset that stays below the partition's end cannot be
//     told from a compacted gap: the records it jumps over are not read.
//     A record larger than [MaxRecordBytes] (16 MiB), which an
//     uncompressed batch on a topic allowing large messages can hold, is
//     skipped the same way, without being copied or decoded.
//
// Classification: a JSON object with both "date" and "lines" keys is a
// request log; one with "event_type" and "timestamp" (and no "lines") is an
// event, whatever topic it came from. Anything else is KindOther.
package tail
