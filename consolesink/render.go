package consolesink

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/otelrelayer/otelrelayer/internal/ansi"
	"github.com/otelrelayer/otelrelayer/kafkasink"
)

// paint appends s, wrapped in the colour sgr when colours are on.
func (c *Sink) paint(dst []byte, sgr string, s []byte) []byte {
	return ansi.Painter{On: c.cfg.color}.Append(dst, sgr, s)
}

func (c *Sink) paintString(dst []byte, sgr, s string) []byte {
	return ansi.Painter{On: c.cfg.color}.AppendString(dst, sgr, s)
}

func (c *Sink) appendBlock(dst []byte, m kafkasink.Message) []byte {
	dst = c.paintString(dst, ansi.Faint, "---")
	dst = append(dst, ' ')
	dst = c.paint(dst, ansi.Bold, printableOrQuoted(m.Topic))
	dst = append(dst, ' ')
	dst = c.appendKey(dst, m.Key)
	dst = append(dst, '\n')
	for _, h := range m.Headers {
		dst = append(dst, "    "...)
		dst = c.paint(dst, ansi.Cyan, printableOrQuoted(h.Key))
		dst = append(dst, ':')
		if len(h.Value) > 0 {
			dst = append(dst, ' ')
			dst = appendHeaderValue(dst, h.Value, false)
		}
		dst = append(dst, '\n')
	}
	switch v := m.Value; {
	case v == nil:
		dst = c.paintString(dst, ansi.Faint, "(no value)")
	case len(v) == 0:
		dst = c.paintString(dst, ansi.Faint, "(empty value)")
	case json.Valid(v):
		var b bytes.Buffer
		_ = json.Indent(&b, v, "", "  ") // cannot fail on valid JSON
		dst = c.appendJSON(dst, bytes.TrimSpace(b.Bytes()))
	case isText(v, true):
		dst = c.paintString(dst, ansi.Faint, fmt.Sprintf("(not JSON: %d bytes of text)", len(v)))
		dst = append(dst, '\n')
		dst = append(dst, bytes.TrimRight(v, "\n")...)
	default:
		dst = c.paintString(dst, ansi.Faint, fmt.Sprintf("(not JSON: %d bytes of binary)", len(v)))
		dst = append(dst, '\n')
		dst = append(dst, bytes.TrimRight([]byte(hex.Dump(v)), "\n")...)
	}
	return append(dst, '\n')
}

func (c *Sink) appendCompact(dst []byte, m kafkasink.Message) []byte {
	dst = c.paint(dst, ansi.Bold, printableOrQuoted(m.Topic))
	dst = append(dst, ' ')
	dst = c.appendKey(dst, m.Key)
	if len(m.Headers) > 0 {
		dst = append(dst, " ["...)
		for i, h := range m.Headers {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = c.paint(dst, ansi.Cyan, printableOrQuoted(h.Key))
			dst = append(dst, '=')
			dst = appendHeaderValue(dst, h.Value, true)
		}
		dst = append(dst, ']')
	}
	dst = append(dst, ' ')
	switch v := m.Value; {
	case v == nil:
		dst = c.paintString(dst, ansi.Faint, "no value")
	case len(v) == 0:
		dst = c.paintString(dst, ansi.Faint, "empty value")
	case json.Valid(v):
		var b bytes.Buffer
		_ = json.Compact(&b, v) // cannot fail on valid JSON
		dst = c.appendJSON(dst, b.Bytes())
	case isText(v, true):
		dst = c.paintString(dst, ansi.Faint, "text ")
		dst = strconv.AppendQuote(dst, string(v))
	default:
		dst = c.paintString(dst, ansi.Faint, "hex ")
		dst = hex.AppendEncode(dst, v)
	}
	return append(dst, '\n')
}

// appendKey appends `key "text"`, `key uuid ...`, `key hex ...` or `no key`.
func (c *Sink) appendKey(dst []byte, key []byte) []byte {
	if key == nil {
		return c.paintString(dst, ansi.Faint, "no key")
	}
	dst = append(dst, "key "...)
	var k []byte
	switch {
	case isText(key, false):
		k = strconv.AppendQuote(nil, string(key))
	case len(key) == 16:
		k = appendUUID([]byte("uuid "), key)
	default:
		k = hex.AppendEncode([]byte("hex "), key)
	}
	return c.paint(dst, ansi.Yellow, k)
}

// appendHeaderValue appends v as text when it is printable, else as a UUID
// (16 bytes) or in hex. quoteSpaces quotes text that is empty or holds a
// space or a bracket, so that a compact line stays unambiguous.
func appendHeaderValue(dst, v []byte, quoteSpaces bool) []byte {
	switch {
	case isText(v, false):
		if quoteSpaces && (len(v) == 0 || bytes.ContainsAny(v, " []\"")) {
			return strconv.AppendQuote(dst, string(v))
		}
		return append(dst, v...)
	case len(v) == 16:
		return appendUUID(append(dst, "uuid "...), v)
	default:
		return hex.AppendEncode(append(dst, "hex "...), v)
	}
}

// appendUUID appends the 16 bytes of b in the canonical 8-4-4-4-12 form.
func appendUUID(dst, b []byte) []byte {
	for i, n := range []int{4, 2, 2, 2, 6} {
		if i > 0 {
			dst = append(dst, '-')
		}
		dst = hex.AppendEncode(dst, b[:n])
		b = b[n:]
	}
	return dst
}

// isText reports whether b is valid UTF-8 made of printable characters, and
// also of newlines, tabs and carriage returns when multiline is set.
func isText(b []byte, multiline bool) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if unicode.IsPrint(r) || multiline && (r == '\n' || r == '\t' || r == '\r') {
			continue
		}
		return false
	}
	return true
}

// printableOrQuoted returns s, or s quoted when it holds characters that
// would garble the output (topics and header names are not validated here).
func printableOrQuoted(s string) []byte {
	if isText([]byte(s), false) && s != "" {
		return []byte(s)
	}
	return strconv.AppendQuote(nil, s)
}

// appendJSON appends valid JSON, colouring keys, strings and other scalars
// when colours are on.
func (c *Sink) appendJSON(dst, v []byte) []byte {
	if !c.cfg.color {
		return append(dst, v...)
	}
	for i := 0; i < len(v); {
		switch ch := v[i]; {
		case ch == '"':
			j := i + 1
			for j < len(v) && v[j] != '"' {
				if v[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(v)) // past the closing quote
			sgr := ansi.Green
			if k := skipSpace(v, j); k < len(v) && v[k] == ':' {
				sgr = ansi.Blue
			}
			dst = c.paint(dst, sgr, v[i:j])
			i = j
		case ch == '-' || ch >= '0' && ch <= '9' || ch == 't' || ch == 'f' || ch == 'n':
			j := i
			for j < len(v) && !isJSONDelimiter(v[j]) {
				j++
			}
			dst = c.paint(dst, ansi.Magenta, v[i:j])
			i = j
		default:
			dst = append(dst, ch)
			i++
		}
	}
	return dst
}

func isJSONDelimiter(ch byte) bool {
	switch ch {
	case ',', ']', '}', ':', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

func skipSpace(v []byte, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n') {
		i++
	}
	return i
}
