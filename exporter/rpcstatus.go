package exporter

import (
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
)

// rpcStatus is the status of an RPC root: rpc_status_code (numeric) and
// rpc_status (its name), apart from HTTP's status. The newer conventions'
// rpc.response.status_code (a string: "NOT_FOUND" for gRPC, "-32602" for
// JSON-RPC) wins over the older rpc.grpc.status_code (an integer).
type rpcStatus struct {
	name     string // as written in rpc_status; "" when unknown
	code     int64
	hasCode  bool
	fromNew  bool // the newer attribute was read: the older one is ignored
	hasValue bool
}

// fillNew reads rpc.response.status_code. A gRPC code name (in any case,
// as Connect writes them) gets its number; a number gets the gRPC name when
// it has one, else its text.
func (s *rpcStatus) fillNew(v attribute.Value) {
	if s.fromNew {
		return
	}
	text := v.String()
	if v.Type() == attribute.INT64 {
		s.setCode(v.AsInt64())
	} else if code, ok := grpcCodeOf(text); ok {
		*s = rpcStatus{name: text, code: code, hasCode: true, hasValue: true}
	} else if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		s.setCode(n)
	} else {
		*s = rpcStatus{name: text, hasValue: true}
	}
	if len(s.name) > maxFieldBytes {
		s.name = s.name[:maxFieldBytes]
	}
	s.fromNew = true
}

// fillOld reads rpc.grpc.status_code, unless the newer attribute was read.
func (s *rpcStatus) fillOld(v attribute.Value) {
	if s.fromNew || s.hasValue {
		return
	}
	switch v.Type() {
	case attribute.INT64:
		s.setCode(v.AsInt64())
	case attribute.FLOAT64:
		// Only a whole number in range is a code: converting NaN, an
		// infinity or 1e300 gives an arbitrary int64, 5.7 is no status.
		if f := v.AsFloat64(); f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			s.setCode(int64(f))
		}
	case attribute.STRING:
		if n, err := strconv.ParseInt(v.AsString(), 10, 64); err == nil {
			s.setCode(n)
		}
	}
}

func (s *rpcStatus) setCode(code int64) {
	name := strconv.FormatInt(code, 10)
	if code >= 0 && code < int64(len(grpcCodeNames)) {
		name = grpcCodeNames[code]
	}
	*s = rpcStatus{name: name, code: code, hasCode: true, hasValue: true}
}

// grpcCodeNames are gRPC's status code names, indexed by code, as gRPC's
// specification and otelgrpc spell them.
var grpcCodeNames = [...]string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
	"NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
	"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
	"INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
}

func grpcCodeOf(name string) (int64, bool) {
	for i, n := range grpcCodeNames {
		if strings.EqualFold(n, name) {
			return int64(i), true
		}
	}
	if strings.EqualFold(name, "CANCELED") { // Go's spelling
		return 1, true
	}
	return 0, false
}
