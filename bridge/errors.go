package bridge

import "errors"

// Errors returned by Emit, EmitRaw, Log and SetAttributes. Each is wrapped with what was
// wrong, so test them with errors.Is. When one is returned, nothing was
// produced.
var (
	// ErrNonJSONSerializable: the payload or message has no JSON encoding
	// (a channel, a function, NaN or an infinity, a cycle, an empty or
	// invalid json.RawMessage). Surfaces from Emit, EmitRaw and Log.
	ErrNonJSONSerializable = errors.New("bridge: payload is not JSON serializable")

	// ErrInvalidTopic: the topic the call would write to is not a valid
	// Kafka topic name (empty, longer than 249 characters, characters other
	// than [a-zA-Z0-9._-], or "." or ".."). The topic includes the
	// configured prefix and suffix. Surfaces from Emit and EmitRaw, and from
	// exporter.New for the logging topic.
	ErrInvalidTopic = errors.New("bridge: invalid topic")

	// ErrMessageTooLarge: the encoded message is larger than the pipeline's
	// maximum message size. Surfaces from Emit, EmitRaw and Log.
	ErrMessageTooLarge = errors.New("bridge: message too large")

	// ErrNotInstalled: no pipeline owns the span in the context and no
	// default pipeline is registered (see exporter.New). Surfaces from
	// Emit, EmitRaw and Log.
	ErrNotInstalled = errors.New("bridge: no pipeline installed")

	// ErrShutdown: the pipeline was shut down. Surfaces from Emit, EmitRaw
	// and Log whose context would have reached it: through the default
	// pipeline, or with a span of a tracer provider the pipeline saw before
	// it shut down, or started spans through afterwards (see [Retire]).
	// One case cannot be told apart: a pipeline that never saw a span of
	// its provider cannot know that provider, so when the provider itself
	// was shut down (it then stops calling the pipeline), calls with its
	// spans go to the default pipeline, or return [ErrNotInstalled] when
	// there is none.
	ErrShutdown = errors.New("bridge: pipeline is shut down")

	// ErrNoRequest: SetAttributes was called with a context that holds no
	// span of an open request (no span, an unrecorded one, or one whose
	// request log was already written). Nothing was recorded.
	ErrNoRequest = errors.New("bridge: no open request in the context")

	// ErrInvalidAttribute: SetAttributes was given an attribute with an
	// empty key. Nothing was recorded.
	ErrInvalidAttribute = errors.New("bridge: invalid attribute")

	// ErrInvalidLevel: Log was called with an empty level.
	ErrInvalidLevel = errors.New("bridge: invalid log level")

	// ErrSelfLog: Emit or EmitRaw was called with the context of one of
	// otelrelayer's own log records (such as the Debug line of each
	// produced message), or with one derived from it, also when a span was
	// started from it: refused, so that the library's diagnostics never
	// become messages and a handler that emits for every record cannot
	// loop. Log ignores such a context and returns nil instead.
	ErrSelfLog = errors.New("bridge: Emit with the context of one of otelrelayer's own log records: refused, so that its diagnostics never become messages")
)
