package wire

import "encoding/json"

// Attribute returns the attribute key of the request log as text: a string
// value unquoted, any other value as its JSON ("42", "true", `["a","b"]`).
// It reports false when the log has no such attribute.
func (l RequestLog) Attribute(key string) (string, bool) {
	raw, ok := l.Attributes[key]
	if !ok {
		return "", false
	}
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	return string(raw), true
}
