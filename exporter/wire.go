package exporter

import "github.com/otelrelayer/otelrelayer/wire"

// The wire formats live in package wire, their one home, which imports
// neither the OpenTelemetry SDK nor franz-go: consumers decode with it.
// These aliases are kept for one release.

// Event is the JSON body of an event message.
//
// Deprecated: use [wire.Event].
type Event = wire.Event

// Line is one entry of a request log's lines.
//
// Deprecated: use [wire.Line].
type Line = wire.Line

// RequestLog is the JSON body of a request log.
//
// Deprecated: use [wire.RequestLog].
type RequestLog = wire.RequestLog

// Time is a wire-format timestamp.
//
// Deprecated: use [wire.Time].
type Time = wire.Time
