package exporter

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/otelrelayer/otelrelayer/internal/jsonenc"
)

// Redacted replaces the values of redacted keys.
const Redacted = "[REDACTED]"

// WithRedactedKeys masks, before anything leaves the process, the value of
// every object key named like one of keys (case-insensitively, at any
// depth) in event payloads, EmitRaw messages and log line payloads,
// replacing it with "[REDACTED]". Payloads that hold none of the keys are
// written untouched; the others are re-encoded (object keys sorted). Calls
// accumulate; empty keys are ignored, so WithRedactedKeys() and
// WithRedactedKeys("") mask nothing, the default. Request fields taken from
// spans never include Authorization or Cookie headers, whatever the option.
func WithRedactedKeys(keys ...string) Option {
	lower := make([]string, 0, len(keys))
	for _, k := range keys {
		if k != "" {
			lower = append(lower, strings.ToLower(k))
		}
	}
	return optionFunc(func(c config) config {
		c.redactedKeys = append(append([]string(nil), c.redactedKeys...), lower...)
		return c
	})
}

// redact returns payload with the configured keys masked. It returns
// payload itself when there is nothing to mask.
func (p *Processor) redact(payload []byte) []byte {
	if len(p.cfg.redactedKeys) == 0 || !mayHoldKey(payload, p.cfg.redactedKeys) {
		return payload
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return payload // not ours to judge: it was validated as JSON before
	}
	if !maskKeys(v, p.cfg.redactedKeys) {
		return payload
	}
	out, err := jsonenc.AppendValue(nil, v)
	if err != nil {
		return payload
	}
	return out
}

// mayHoldKey is a cheap filter: whether any key appears in payload, quoted,
// ignoring case. A payload with escapes may spell a key otherwise
// ("pass\u0077ord"): it always takes the full path.
func mayHoldKey(payload []byte, keys []string) bool {
	if bytes.IndexByte(payload, '\\') >= 0 {
		return true
	}
	for _, k := range keys {
		for i := bytes.IndexByte(payload, '"'); i >= 0 && i+len(k)+1 < len(payload); {
			if payload[i+len(k)+1] == '"' && bytes.EqualFold(payload[i+1:i+1+len(k)], []byte(k)) {
				return true
			}
			next := bytes.IndexByte(payload[i+1:], '"')
			if next < 0 {
				break
			}
			i += next + 1
		}
	}
	return false
}

// maskKeys masks in place and reports whether it masked anything.
func maskKeys(v any, keys []string) bool {
	masked := false
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if matchKey(k, keys) {
				x[k] = Redacted
				masked = true
				continue
			}
			masked = maskKeys(val, keys) || masked
		}
	case []any:
		for _, e := range x {
			masked = maskKeys(e, keys) || masked
		}
	}
	return masked
}

func matchKey(k string, keys []string) bool {
	for _, r := range keys {
		if strings.EqualFold(k, r) {
			return true
		}
	}
	return false
}
