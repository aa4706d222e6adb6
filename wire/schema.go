package wire

import _ "embed"

// EventSchema is the JSON Schema (draft 2020-12) of an [Event] message
// body, for consumers in other languages and for validating messages. The
// schema documents are shared: read them, do not modify them.
//
//go:embed event.schema.json
var EventSchema []byte

// RequestLogSchema is the JSON Schema (draft 2020-12) of a [RequestLog]
// message body, its lines included.
//
//go:embed request_log.schema.json
var RequestLogSchema []byte
