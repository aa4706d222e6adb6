package exporter

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/otelrelayer/otelrelayer/internal/jsonenc"
	sc "github.com/otelrelayer/otelrelayer/internal/semconvkeys"
)

// attributeBounds are the limits appendAttributes applies.
type attributeBounds struct {
	maxCount, maxBytes int
	redacted           []string // lower case, as WithRedactedKeys keeps them
}

// appendAttributes appends `,"attributes":{…}` to dst: first set (the
// fields of bridge.SetAttributes), then the root span's attributes that sel
// keeps and that are not already a field of a root of this kind. It
// returns dst unchanged when nothing is written, and the number of
// attributes written and left out by the bounds.
func appendAttributes(dst []byte, kind rootKind, root, set []attribute.KeyValue, sel attributeSelection, b attributeBounds) (_ []byte, written, dropped int) {
	if len(set) == 0 && (sel.none || len(root) == 0) {
		return dst, 0, 0
	}
	origin := len(dst)
	open := -1 // where the object's members start, once it is opened
	add := func(kv attribute.KeyValue) {
		key := string(kv.Key)
		if isCredential(key) {
			return
		}
		if written >= b.maxCount {
			dropped++
			return
		}
		used := 0
		if open >= 0 {
			used = len(dst) - open
		}
		// What cannot fit is left out before it is encoded: a value of
		// megabytes (a slice of a million elements) would otherwise cost
		// its whole encoding in OnEnd only to be cut off.
		budget := b.maxBytes - (used + len(`,"attributes":{}`)) - min(written, 1)
		if len(key)+len(`"":`) > budget || !isRedactedKey(key, b.redacted) && !fitsIn(kv.Value, budget-len(key)-len(`"":`), b.redacted) {
			dropped++
			return
		}
		if open < 0 {
			// Opened at the first attribute to write: a root whose
			// attributes are all fields or the connection's (most HTTP
			// requests) allocates nothing here.
			if dst == nil {
				dst = make([]byte, 0, 512) // one allocation for most requests
			}
			dst = append(dst, `,"attributes":{`...)
			open = len(dst)
		}
		start := len(dst)
		if written > 0 {
			dst = append(dst, ',')
		}
		dst = jsonenc.AppendString(dst, key)
		dst = append(dst, ':')
		if isRedactedKey(key, b.redacted) {
			dst = jsonenc.AppendString(dst, Redacted)
		} else {
			dst = appendAttributeValue(dst, kv.Value, b.redacted)
		}
		// The object's braces and the key count against the bound too.
		if len(dst)-open+len(`,"attributes":{}`) > b.maxBytes {
			dst = dst[:start]
			dropped++
			return
		}
		written++
	}
	for _, kv := range set {
		add(kv)
	}
	if !sel.none {
		for _, kv := range root {
			if !sel.keeps(string(kv.Key)) || isField(kind, kv.Key) || indexOfKey(set, kv.Key) >= 0 {
				continue
			}
			add(kv)
		}
	}
	if written == 0 {
		return dst[:origin], 0, dropped
	}
	return append(dst, '}'), written, dropped
}

// isField reports whether key is read into a field of a root of kind, and
// so is not repeated in its attributes. A job's root has no such field.
func isField(kind rootKind, key attribute.Key) bool {
	switch kind {
	case kindHTTP:
		switch key {
		case sc.HTTPRequestMethod, sc.OldHTTPMethod, sc.URLPath, sc.URLQuery, sc.OldHTTPTarget,
			sc.UserAgentOriginal, sc.OldHTTPUserAgent, sc.ClientAddress, sc.NetworkPeerAddress,
			sc.OldNetSockPeerAddr, sc.OldNetPeerIP, sc.HTTPStatusCode, sc.OldHTTPStatusCode,
			sc.HTTPResponseBodySize, sc.OldHTTPContentLength, sc.HeaderXRequestID,
			sc.HeaderXForwardedFor, sc.HeaderXRealIP, sc.HTTPRoute:
			return true
		}
	case kindRPC:
		switch key {
		case sc.RPCSystem, sc.RPCSystemName, sc.RPCService, sc.RPCMethod,
			sc.RPCResponseStatusCode, sc.OldRPCGRPCStatusCode:
			return true
		}
	}
	return false
}

// isRedactedKey reports whether WithRedactedKeys names key: the whole of
// it, or its last dotted segment ("app.user.password" for "password").
func isRedactedKey(key string, redacted []string) bool {
	if len(redacted) == 0 {
		return false
	}
	last := key[strings.LastIndexByte(key, '.')+1:]
	for _, r := range redacted {
		if strings.EqualFold(key, r) || strings.EqualFold(last, r) {
			return true
		}
	}
	return false
}

// appendAttributeValue appends v as JSON, following OpenTelemetry's
// representation of values for non-OTLP protocols: NaN and infinities as
// the strings "NaN", "Infinity" and "-Infinity", bytes in base64, an empty
// value as null, maps as objects (their keys in WithRedactedKeys masked,
// their credential keys left out).
func appendAttributeValue(dst []byte, v attribute.Value, redacted []string) []byte {
	switch v.Type() {
	case attribute.BOOL:
		return strconv.AppendBool(dst, v.AsBool())
	case attribute.INT64:
		return strconv.AppendInt(dst, v.AsInt64(), 10)
	case attribute.FLOAT64:
		return appendAttributeFloat(dst, v.AsFloat64())
	case attribute.STRING:
		return jsonenc.AppendString(dst, v.AsString())
	case attribute.BOOLSLICE:
		return appendArray(dst, v.AsBoolSlice(), strconv.AppendBool)
	case attribute.INT64SLICE:
		return appendArray(dst, v.AsInt64Slice(), func(d []byte, n int64) []byte { return strconv.AppendInt(d, n, 10) })
	case attribute.FLOAT64SLICE:
		return appendArray(dst, v.AsFloat64Slice(), appendAttributeFloat)
	case attribute.STRINGSLICE:
		return appendArray(dst, v.AsStringSlice(), jsonenc.AppendString)
	case attribute.BYTESLICE:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, v.AsByteSlice())
		return append(dst, '"')
	case attribute.SLICE:
		return appendArray(dst, v.AsSlice(), func(d []byte, e attribute.Value) []byte { return appendAttributeValue(d, e, redacted) })
	case attribute.MAP:
		// A map may hold headers by name: its credential keys are left
		// out, as attributes of those names are.
		dst = append(dst, '{')
		n := 0
		for _, kv := range v.AsMap() {
			if isCredential(string(kv.Key)) {
				continue
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			dst = jsonenc.AppendString(dst, string(kv.Key))
			dst = append(dst, ':')
			if isRedactedKey(string(kv.Key), redacted) {
				dst = jsonenc.AppendString(dst, Redacted)
				continue
			}
			dst = appendAttributeValue(dst, kv.Value, redacted)
		}
		return append(dst, '}')
	case attribute.EMPTY:
		return append(dst, "null"...)
	}
	return jsonenc.AppendString(dst, v.String())
}

func appendAttributeFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

func appendArray[T any](dst []byte, vs []T, each func([]byte, T) []byte) []byte {
	dst = append(dst, '[')
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = each(dst, v)
	}
	return append(dst, ']')
}

// fitsIn reports whether v may fit in budget bytes once encoded by
// appendAttributeValue: false when a lower bound of its encoded size
// (each byte of a string at least one, each element at least its
// separator and one byte) is already over. It stops counting there, so it
// costs at most about budget steps whatever the size of v.
func fitsIn(v attribute.Value, budget int, redacted []string) bool {
	return minEncodedLen(v, budget, redacted) <= budget
}

// minEncodedLen is a lower bound of the size of v encoded, exact enough to
// leave out what cannot fit; it returns as soon as it passes limit.
func minEncodedLen(v attribute.Value, limit int, redacted []string) int {
	switch v.Type() {
	case attribute.STRING:
		return len(v.AsString()) + 2
	case attribute.BYTESLICE:
		return base64.StdEncoding.EncodedLen(len(v.AsByteSlice())) + 2
	case attribute.BOOL, attribute.EMPTY:
		return 4
	case attribute.BOOLSLICE:
		return max(2, 1+5*len(v.AsBoolSlice()))
	case attribute.INT64SLICE:
		return 1 + 2*len(v.AsInt64Slice())
	case attribute.FLOAT64SLICE:
		return 1 + 2*len(v.AsFloat64Slice())
	case attribute.STRINGSLICE:
		n := 1
		for _, e := range v.AsStringSlice() {
			if n += len(e) + 3; n > limit {
				break
			}
		}
		return n
	case attribute.SLICE:
		n := 1
		for _, e := range v.AsSlice() {
			if n += 1 + minEncodedLen(e, limit-n, redacted); n > limit {
				break
			}
		}
		return n
	case attribute.MAP:
		n := 1
		for _, kv := range v.AsMap() {
			if isCredential(string(kv.Key)) {
				continue
			}
			n += len(kv.Key) + 4 // quotes, colon, separator
			if !isRedactedKey(string(kv.Key), redacted) {
				n += minEncodedLen(kv.Value, limit-n, redacted)
			}
			if n > limit {
				break
			}
		}
		return n
	}
	return 1
}
