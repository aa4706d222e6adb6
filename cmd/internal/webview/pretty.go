package webview

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Bounds of what a page shows of one message: beyond them a page says what
// it left out and links to the whole record (see [View.ServeHTTP], /raw/).
const (
	// maxPrettyBytes bounds the indented JSON of a message on its page.
	maxPrettyBytes = 256 << 10
	// maxPrettyDepth is the deepest nesting indented: indentation grows
	// with depth, and a deeply nested value would make a page of size
	// depth × lines (20 KB nested 10,000 deep: 200 MB). Deeper values are
	// shown as written.
	maxPrettyDepth = 64
	// maxRawShown bounds a value shown as written.
	maxRawShown = 64 << 10
)

// shown is a message's value as its page shows it, and what was left out.
type shown struct {
	Text string
	Note string // "" when Text is the whole value
}

// pretty shows v as indented JSON, in time linear in its size, when it is
// JSON nested at most maxPrettyDepth deep whose indented form fits
// maxPrettyBytes; otherwise as written (as text when UTF-8, else hex), cut
// at maxRawShown, with a note saying why.
func pretty(v []byte) shown {
	if !json.Valid(v) {
		return asWritten(v, "not JSON")
	}
	out, why := indentBounded(v)
	if why != "" {
		return asWritten(v, why)
	}
	return shown{Text: readable(out)}
}

func asWritten(v []byte, why string) shown {
	s := shown{Text: text(v)}
	if len(v) > maxRawShown {
		s.Text = cut(text(v[:maxRawShown]), maxRawShown)
		s.Note = fmt.Sprintf("%s: shown as written, its first %d KiB of %d KiB", why, maxRawShown>>10, len(v)>>10)
	} else if why != "not JSON" {
		s.Note = why + ": shown as written"
	}
	return s
}

// indentBounded indents valid JSON v by two spaces per level, or says why
// it does not: nested deeper than maxPrettyDepth, or indented larger than
// maxPrettyBytes.
func indentBounded(v []byte) ([]byte, string) {
	var b bytes.Buffer
	depth := 0
	newline := func() {
		b.WriteByte('\n')
		for range depth {
			b.WriteString("  ")
		}
	}
	inString, escaped := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if b.Len() > maxPrettyBytes {
			return nil, fmt.Sprintf("larger than %d KiB indented", maxPrettyBytes>>10)
		}
		if inString {
			b.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
		case '"':
			inString = true
			b.WriteByte(c)
		case '{', '[':
			b.WriteByte(c)
			j := i + 1
			for j < len(v) && (v[j] == ' ' || v[j] == '\t' || v[j] == '\n' || v[j] == '\r') {
				j++
			}
			if j < len(v) && (v[j] == '}' || v[j] == ']') {
				b.WriteByte(v[j]) // empty
				i = j
				continue
			}
			depth++
			if depth > maxPrettyDepth {
				return nil, fmt.Sprintf("nested deeper than %d levels", maxPrettyDepth)
			}
			newline()
		case '}', ']':
			depth--
			newline()
			b.WriteByte(c)
		case ',':
			b.WriteByte(c)
			newline()
		case ':':
			b.WriteString(": ")
		default:
			b.WriteByte(c)
		}
	}
	if b.Len() > maxPrettyBytes {
		return nil, fmt.Sprintf("larger than %d KiB indented", maxPrettyBytes>>10)
	}
	return b.Bytes(), ""
}
