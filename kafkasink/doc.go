// Package kafkasink is otelrelayer's transport: the [Message] it produces, the
// [Sink] interface, and [Producer], a franz-go
// client that implements it.
//
// # Producer defaults
//
// [New] builds a franz-go client with franz-go's defaults (idempotent writes,
// acks=all, 10ms linger, 50,000 buffered records, snappy compression) plus
// automatic topic creation: otelrelayer names topics after event types, so a
// topic appears the first time an event of its type is emitted when the
// cluster allows it (auto.create.topics.enable). Two franz-go defaults are
// changed: metadata is refreshed at most every 250ms after an error, not 5s
// ([DefaultMetadataMinAge]), so that leader churn costs no event; and no
// KIP-714 client metrics are pushed to the brokers (kgo.DisableClientMetrics),
// whose final push at close could take the second Close keeps to fail what
// it could not deliver. Any franz-go option given with [WithClientOptions] is
// applied after these and wins (client metrics stay off).
//
// # Security
//
// By default a [Producer] connects in plaintext and does not authenticate.
// [WithTLS] connects over TLS with the given *tls.Config; [WithSASLPlain],
// [WithSASLScramSHA256] and [WithSASLScramSHA512] authenticate with SASL.
// Together they are Kafka's SASL_SSL, SASL alone is SASL_PLAINTEXT. A
// producer authenticates with one mechanism: a second SASL option makes [New]
// fail, as do a nil *tls.Config and an empty user or password. A
// kgo.DialTLSConfig given with [WithClientOptions] replaces WithTLS; a
// kgo.SASL there is only tried when the broker does not support the
// mechanism chosen here.
//
// [New] does not wait for the brokers, so it cannot see a wrong password or
// an untrusted certificate. Each message then fails through its done
// callback once its delivery timeout ([WithDeliveryTimeout], default two
// minutes) expires, with an error that wraps kgo.ErrRecordTimeout and the
// last connection error: kerr.SaslAuthenticationFailed when the broker
// refuses the credentials (a broker that closes the connection instead, as
// franz-go's kfake does, leaves only the timeout), an x509 error (x509.UnknownAuthorityError,
// x509.HostnameError) when its certificate does not verify, and a
// *kgo.ErrFirstReadEOF asking "is TLS missing?" or "is SASL missing?" when
// the broker closes a connection it expected to be secured. Flush and Close
// report only their context's error, never these.
//
// # Environment
//
// Unless [WithoutEnvironment] is given, [New] reads these variables once (from
// the process environment, or the entries given with [WithEnvironment]) and
// uses them for what the options leave unset: an option always wins, and the
// variables it overrides are not read (option > environment > default). A
// variable set to the empty string counts as unset.
//
//	KAFKA_BROKERS                   seed brokers, host:port,host:port (spaces
//	                                trimmed; the rules of WithBrokers); used
//	                                when WithBrokers gives none
//	KAFKA_TLS                       true to connect with TLS; ignored with WithTLS
//	KAFKA_TLS_CA_FILE               PEM CA certificates, instead of the system roots
//	KAFKA_TLS_CERT_FILE             PEM client certificate, for mutual TLS
//	KAFKA_TLS_KEY_FILE              PEM private key of that certificate
//	KAFKA_TLS_SERVER_NAME           name to verify the broker certificates
//	                                against, instead of each broker's host
//	KAFKA_TLS_INSECURE_SKIP_VERIFY  true to accept any broker certificate
//	KAFKA_SASL_MECHANISM            PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (any
//	                                case); ignored with a SASL option
//	KAFKA_SASL_USERNAME             required with KAFKA_SASL_MECHANISM
//	KAFKA_SASL_PASSWORD             required with KAFKA_SASL_MECHANISM
//
// A set variable that asks for TLS or SASL in a spelling not listed here
// (KAFKA_SECURITY_PROTOCOL, KAFKA_SSL_*, KAFKA_SASL_JAAS_CONFIG, a misspelt
// KAFKA_TLS_CA) makes [New] fail too, rather than connect in plaintext;
// other KAFKA_* variables are left alone. OAUTHBEARER is not read from the
// environment (its tokens expire): pass kgo.SASL(oauth.Oauth(...)) with
// [WithClientOptions].
//
// Booleans are those of strconv.ParseBool, in any case: true, false, 1, 0,
// t, f. The other KAFKA_TLS_* variables need KAFKA_TLS (true, or false to
// ignore them), the client certificate and its key go together, and
// KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD need KAFKA_SASL_MECHANISM: a
// half-configured environment never falls back to plaintext or to no
// authentication without a word. Usernames and passwords are used as they
// are; other values are trimmed. Every invalid variable makes [New] fail
// with [ErrConfiguration], naming the variable; several are reported
// together, and passwords never appear in errors.
//
// # Connection
//
// [NewConnection] resolves brokers, TLS and SASL from the same options and
// variables, by the same code, for a program that makes franz-go clients of
// its own: [Connection.ClientOptions] connects a consumer as the producer
// connects, and [Connection.Ping] checks, at start, that a broker accepts
// the certificate and credentials, saying why not. The otelrelayer tools
// (relaytail, relayview, relayer-dev) connect through it.
//
// # Spool
//
// [WithSpool] puts a write-ahead log on disk between Produce and Kafka:
// CRC-framed segment files in the given directory, one fdatasync per group
// commit ([InspectSpool] and [SalvageSpool] read a damaged one). Each message is committed to it before it
// is produced and deleted once the broker acknowledged it. By default
// Produce returns once the message is written and fsync'ed, concurrent
// calls sharing one commit (group commit). The wait for the disk is bounded
// by Produce's context when it is live: should the disk stall past it, done
// gets [ErrNotCommitted] (the message may still become durable) before
// Produce returns. A context already done on entry means "do not wait for
// room", not "do not wait for the disk": the commit is still waited for, so
// that a message whose Produce returned survives a crash. Only a message
// given with [ProduceOptions] NoWait and Reserve does not wait for its
// commit; it joins the next one. A message that must not wait for room is
// refused with [ErrBufferFull] when the messages waiting for a commit
// already weigh nine tenths of [WithMaxBufferedBytes] (all of it with
// Reserve). [WithSpoolCommitInterval] makes every Produce return before the
// disk write and commits every interval instead (a flush or Close ends the
// interval's pause at once).
//
// A pump hands committed records to franz-go in the order they were
// produced, as the in-memory bounds ([WithMaxBufferedRecords],
// [WithMaxBufferedBytes]) allow: during an outage records wait on disk, and
// memory holds the in-memory buffer plus at most a tenth of its records and
// bytes of committed records. Failures are sorted by whose fault they are:
//
//   - An error about the record itself (MESSAGE_TOO_LARGE,
//     RECORD_LIST_TOO_LARGE, CORRUPT_MESSAGE, INVALID_RECORD,
//     INVALID_TIMESTAMP, or no topic without kgo.DefaultProduceTopic) removes
//     it from the spool and fails it through done, or, when its done was
//     already told [ErrSpooled], through an error line of the logger naming
//     its topic and event ID (the relayer-event-id header).
//   - Any other error, about the topic or the cluster (authorization, an
//     unknown topic, a policy, not enough replicas, a broker away), never
//     deletes it: the record stays on disk, its topic backs off on a timer
//     of its own (100ms doubling to 10s; the topic's records wait together,
//     in order, and the other topics flow meanwhile), the logger says so at
//     most once a second with the count, the topic and an event ID, and the
//     record is delivered once the cause is fixed. A record handed to
//     franz-go just before its topic's failure was reported may overtake
//     the failed records of its partition.
//   - A record waits in franz-go at most [DefaultSpoolAttemptTimeout] (or
//     [WithDeliveryTimeout] when given), then goes back to the spool: a
//     stuck partition cannot hold the in-memory bounds.
//
// done is called exactly once per message: nil once acknowledged; an error
// wrapping [ErrSpoolFull] when the spool stayed full ([WithSpoolMaxBytes],
// default [DefaultSpoolMaxBytes]) until ctx was done; an error wrapping
// [ErrSpool] when the disk write failed; [ErrNotCommitted] when ctx ended
// before a stalled disk committed it; the broker's error when it refused the
// record itself; and [ErrSpooled] when the message is safe on disk but its
// result will not be reported. [ErrSpooled] is not a failure.
//
// [Producer.Flush] waits until every message accepted before it is
// acknowledged. [Producer.Close] keeps delivering until the spool is empty
// or its context ends, as long as a broker can be reached (it asks one with
// a metadata request whenever no acknowledgement came for 250ms): a slow
// broker, or one refusing a topic, is waited for; when no broker can be
// reached at all it stops within about a second. It returns nil only when
// the spool is empty, otherwise an error wrapping [ErrSpooled] that says
// how many records remain in which file. It makes the final commit within
// its context (the delivery ends a little before the deadline to leave it
// room) and commits nothing after it returns.
//
// The directory must outlive the process: the next [New] on it produces the
// records left there first. On a container's writable layer or a Kubernetes
// emptyDir, what Close reports as remaining is lost at the next deploy:
// mount a volume, or alert on Close's error.
//
// # Recovery after a crash
//
// After a crash, records whose acknowledgement was not yet committed are
// still in the spool, though they are on the broker. Before producing what
// an earlier process left, New's pump reads the tail of every partition of
// their topics, from the offset ListOffsets gives for the oldest spooled
// record's time to the high watermark, and releases every spooled record
// whose relayer-event-id is there: a crash duplicates nothing. Records are
// produced with the time they leave the spool for franz-go as their Kafka
// timestamp (CreateTime), never earlier than their spool time, so that the
// tail holds every copy of ours. The scan reads what the topics
// received since the oldest spooled record (measured with every record
// already there: 10,000 records in 60-95ms, 1,000,000 in 10-35s on a
// loaded 2-core machine, see BENCHMARKS.md); the pump produces nothing
// before it ends, and it is tried again while no broker answers. A
// duplicate remains possible when the copy on the broker cannot be found:
// the topic uses LogAppendTime and the broker's clock is behind the
// producer's, the topic was deleted and re-created, retention removed the
// tail before the restart, the record has no relayer-event-id header, or
// the producer may not read the topic (no Read or Describe ACL: recovery
// then gives up and says so). The recovery's log line (Info) counts the
// records checked, those already on the broker and those without event ID;
// [Producer.SpoolRecovery] counts the records recovered, those released as
// already on the broker, and those produced again unchecked (possible
// duplicates), for a caller's metrics.
//
// Without [WithSpoolCommitInterval], a crash of the process or the machine
// loses no message whose Produce returned nil (it waited for the fsync),
// but for messages given with NoWait and Reserve not yet committed (a few
// milliseconds' worth). With it, the messages of the last interval can be
// lost.
//
// The directory holds the spool's files (a lock file, a manifest naming
// the live segments, and CRC-framed segment files), locked while a
// producer uses it: a second producer on it makes [New] fail with
// [ErrSpool]. Other files there are ignored. A file that is not a spool, a
// record that fails its checksum, a truncated or missing segment, a
// damaged manifest and a directory that cannot be written make [New] fail
// with [ErrSpool], naming the file and `relayspool salvage DIR`; New never
// skips a record. The one exception is the commit being written when a
// process died (its Produce never returned), cut only when no valid commit
// follows it.
//
// # Debug log
//
// Every produced message is logged at [slog.LevelDebug] to the logger given
// with [WithLogger] (default [slog.Default]), with its topic, key and value,
// the development setting of the Python library. Nothing is formatted unless
// the logger has Debug enabled. The record is logged with a context of the
// library's own, never the caller's: it holds no span, so trace-aware
// handlers (bridge.NewSlogHandler, OpenTelemetry log bridges) do not add it
// to a request, and bridge.Log and bridge.Emit ignore it, so the log never
// loops back into Kafka whatever handler is installed.
//
// # Console
//
// Package consolesink prints every message (topic, key, headers, indented
// JSON) instead of producing it: a development sink that needs no broker.
package kafkasink
