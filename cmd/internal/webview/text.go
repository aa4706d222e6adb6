package webview

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// payloadText shows a JSON string as its text and anything else as compact
// JSON.
func payloadText(p json.RawMessage) string {
	if len(p) == 0 {
		return ""
	}
	var s string
	if p[0] == '"' && json.Unmarshal(p, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, p) != nil {
		return text(p)
	}
	return readable(b.Bytes())
}

// indent returns JSON indented, and anything else as text.
func indent(v []byte) string {
	var b bytes.Buffer
	if json.Indent(&b, v, "", "  ") != nil {
		return text(v)
	}
	return readable(b.Bytes())
}

// readable undoes the escapes encoding/json writes for <, > and & in valid
// JSON, so that a payload reads as it was given; the page escapes it for
// HTML. Every backslash in valid JSON starts an escape inside a string, so
// taking escapes pairwise never mistakes an escaped backslash for one.
func readable(j []byte) string {
	if !bytes.Contains(j, []byte(`\u00`)) {
		return string(j)
	}
	var b strings.Builder
	for i := 0; i < len(j); i++ {
		if j[i] != '\\' || i+1 >= len(j) {
			b.WriteByte(j[i])
			continue
		}
		if i+5 < len(j) && j[i+1] == 'u' {
			if c, ok := htmlEscapes[strings.ToLower(string(j[i+2:i+6]))]; ok {
				b.WriteByte(c)
				i += 5
				continue
			}
		}
		b.Write(j[i : i+2])
		i++
	}
	return b.String()
}

var htmlEscapes = map[string]byte{"003c": '<', "003e": '>', "0026": '&'}

// text shows bytes as text when they are UTF-8, else as hex.
func text(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return "0x" + hex.EncodeToString(b)
}
