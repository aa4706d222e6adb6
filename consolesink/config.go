package consolesink

// Option configures a [Sink]. A nil Option is ignored.
type Option interface {
	apply(config) config
}

type config struct {
	color   bool
	compact bool
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

// WithColor turns ANSI colours on or off. The default is off: pass
// WithColor(true) when the writer is a terminal. Colours mark the topic, the
// key, header names, and JSON keys, strings and other values; the text is
// otherwise the same as without colour.
func WithColor(on bool) Option {
	return optionFunc(func(c config) config {
		c.color = on
		return c
	})
}

// WithCompact writes one line per message instead of a block: the topic, the
// key, the headers in brackets, and the value as compact JSON, or as
// "text" and a quoted string, or "hex" and its bytes when it is not JSON:
//
//	order_created key "10" [relayer-event-id=01a21b90-b940-7b81-9c68-e443e357578c] {"id":10}
//
// The default is off. It combines with [WithColor].
func WithCompact(on bool) Option {
	return optionFunc(func(c config) config {
		c.compact = on
		return c
	})
}
