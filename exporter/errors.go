package exporter

import "errors"

// ErrConfiguration is wrapped by every error [New] returns for an argument or
// option that cannot make a working processor (a nil sink, an empty or
// invalid logging topic, WithMaxMessageBytes below its minimum,
// WithMaxLines below 1, a negative WithMaxRequestAge, WithErrorHandler(nil),
// a WithSource longer than its bound, WithMaxAttributes or
// WithMaxAttributeBytes below 1, WithRootAttributePrefixes without a prefix
// or with an empty one); the message names what is wrong. Test
// it with errors.Is.
var ErrConfiguration = errors.New("exporter: invalid configuration")
