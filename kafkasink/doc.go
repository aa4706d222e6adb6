// Package kafkasink is otelrelayer's transport: the [Message] it produces, the
// [Sink] interface the exporter writes through, and [Producer], a franz-go
// client that implements it.
//
// # Producer defaults
//
// [New] builds a franz-go client with franz-go's defaults (idempotent writes,
// acks=all, 10ms linger, 50,000 buffered records) plus automatic topic
// creation: otelrelayer names topics after event types, so a topic appears
// the first time an event of its type is emitted when the cluster allows it
// (auto.create.topics.enable). Any franz-go option given with
// [WithClientOptions] is applied after these and wins.
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
// Unless [WithoutEnvironment] is given, [New] reads these variables once and
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
// [NewConsole] prints every message (topic, key, headers, indented JSON)
// instead of producing it: a development sink that needs no broker.
package kafkasink
