// Package schematest validates otelrelayer's messages against the JSON
// Schemas of package wire (wire.EventSchema, wire.RequestLogSchema): the
// messages of a set of scenarios covering every kind of request log, the
// Python library's messages, and, when the test suite ran with the message
// dump on (otelrelayertest.DumpEnv, as `make test` does), every message the
// rest of the test suite produced. It is a module of its own so that the
// validator, github.com/santhosh-tekuri/jsonschema/v6, stays out of the
// library's go.mod.
package schematest
