package webview

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/otelrelayer/otelrelayer/cmd/internal/termtext"
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

// cut returns s when it is at most n bytes long, and else its first n
// bytes or fewer (whole characters) and a note of how much was cut: lists
// and timelines cut long fields so that a page stays small whatever a
// producer wrote.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return fmt.Sprintf("%s… (%d bytes more)", s[:i], len(s)-i)
}

// visible replaces in an HTML page (or part of one) every hidden
// character but the line ends and tabs of the markup — controls,
// bidirectional and invisible format characters ([termtext.IsHidden]) —
// with its code point between angle brackets, "⟨U+202E⟩": a path holding
// a right-to-left override does not read as another path. The marker is
// plain text, right in element content and in attribute values alike.
func visible(page []byte) []byte {
	hidden := func(r rune) bool { return r != '\n' && r != '\r' && r != '\t' && termtext.IsHidden(r) }
	if bytes.IndexFunc(page, hidden) < 0 {
		return page
	}
	var b bytes.Buffer
	b.Grow(len(page) + 64)
	for _, r := range string(page) {
		if hidden(r) {
			fmt.Fprintf(&b, "⟨U+%04X⟩", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.Bytes()
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
