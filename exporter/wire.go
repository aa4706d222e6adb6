package exporter

import "github.com/otelrelayer/otelrelayer/wire"

// The wire formats live in package wire, which imports neither the
// OpenTelemetry SDK nor franz-go; these aliases keep the exporter's names.

// Event is the JSON body of an event message: [wire.Event].
type Event = wire.Event

// Line is one entry of a request log's lines: [wire.Line].
type Line = wire.Line

// RequestLog is the JSON body of a request log: [wire.RequestLog].
type RequestLog = wire.RequestLog

// Time is a wire-format timestamp: [wire.Time].
type Time = wire.Time
