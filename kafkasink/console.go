package kafkasink

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"unicode"
	"unicode/utf8"
)

// ErrConsoleClosed is given to a message's done callback when the message is
// produced to a [Console] after its Close.
var ErrConsoleClosed = errors.New("kafkasink: console is closed")

// Console is a [Sink] for development without Kafka: it writes every message
// to an io.Writer, readably, instead of producing it. The default layout is
// one block per message:
//
//	--- order_created key "10"
//	    traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
//	    relayer-event-id: 01a21b90-b940-7b81-9c68-e443e357578c
//	{
//	  "id": 10
//	}
//
// The key is shown quoted when it is printable text, as a UUID when it is 16
// other bytes (a uuid.UUID partition key), in hex otherwise, and as "no key"
// when it is nil. Header values are shown as text, or as a UUID or hex in the
// same way. A JSON value is indented; a value that is not JSON is shown as
// text or, when binary, as a hex dump, after a note that says so; a nil
// value (a tombstone) as "(no value)". See
// [WithCompact] for one line per message and [WithColor] for colours.
//
// Produce writes the message with a single Write call and then calls done,
// before it returns: done(nil), or the writer's error. It never waits on ctx
// and ignores it: a console has no buffer to wait for. Console is safe for
// concurrent use: messages are written one at a time, never interleaved.
// Writing happens in the caller's goroutine (the exporter's OnEnd for request
// logs), so a slow writer slows the program down: Console is meant for
// development, not for production traffic.
type Console struct {
	cfg consoleConfig

	mu     sync.Mutex // serializes writes and guards closed
	w      io.Writer
	closed bool
}

var _ Sink = (*Console)(nil)

// NewConsole returns a Console writing to w, typically os.Stdout; a nil w
// is os.Stdout. The Console never closes w.
func NewConsole(w io.Writer, opts ...ConsoleOption) *Console {
	if w == nil {
		w = os.Stdout
	}
	var c consoleConfig
	for _, o := range opts {
		if o != nil {
			c = o.apply(c)
		}
	}
	return &Console{cfg: c, w: w}
}

// ConsoleOption configures a [Console]. A nil ConsoleOption is ignored.
type ConsoleOption interface {
	apply(consoleConfig) consoleConfig
}

type consoleConfig struct {
	color   bool
	compact bool
}

type consoleOptionFunc func(consoleConfig) consoleConfig

func (f consoleOptionFunc) apply(c consoleConfig) consoleConfig { return f(c) }

// WithColor turns ANSI colours on or off. The default is off: pass
// WithColor(true) when the writer is a terminal. Colours mark the topic, the
// key, header names, and JSON keys, strings and other values; the text is
// otherwise the same as without colour.
func WithColor(on bool) ConsoleOption {
	return consoleOptionFunc(func(c consoleConfig) consoleConfig {
		c.color = on
		return c
	})
}

// WithCompact writes one line per message instead of a block: the topic, the
// key, the headers in brackets, and the value as compact JSON, or as
// "text" and a quoted string, or "hex" and its bytes when it is not JSON:
//
//	order_created key "10" [relayer-event-id=01a21b90-b940-7b81-9c68-e443e357578c] {"id":10}
//
// The default is off. It combines with [WithColor].
func WithCompact(on bool) ConsoleOption {
	return consoleOptionFunc(func(c consoleConfig) consoleConfig {
		c.compact = on
		return c
	})
}

// Produce implements [Sink]: it writes m and calls done before returning.
func (c *Console) Produce(_ context.Context, m Message, done func(error)) {
	// Rendered outside the lock: only the write is serialized.
	var out []byte
	if c.cfg.compact {
		out = c.appendCompact(nil, m)
	} else {
		out = c.appendBlock(nil, m)
	}
	c.mu.Lock()
	var err error
	if c.closed {
		err = ErrConsoleClosed
	} else if _, werr := c.w.Write(out); werr != nil {
		err = fmt.Errorf("kafkasink: console: writing a message of %s: %w", m.Topic, werr)
	}
	c.mu.Unlock()
	if done != nil {
		done(err)
	}
}

// Flush implements [Sink]. Every message is written before its Produce
// returns, so Flush only waits for a write in progress, and returns nil.
func (c *Console) Flush(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return nil
}

// Close implements [Sink]: it waits for a write in progress, then later
// calls to Produce fail with [ErrConsoleClosed] and write nothing. It does
// not close the writer and returns nil; calling it again has no effect.
func (c *Console) Close(context.Context) error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return nil
}

// ANSI SGR sequences.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiFaint   = "\x1b[2m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiBlue    = "\x1b[34m"
	ansiMagenta = "\x1b[35m"
	ansiCyan    = "\x1b[36m"
)

// paint appends s, wrapped in the colour sgr when colours are on.
func (c *Console) paint(dst []byte, sgr string, s []byte) []byte {
	if !c.cfg.color || len(s) == 0 {
		return append(dst, s...)
	}
	dst = append(dst, sgr...)
	dst = append(dst, s...)
	return append(dst, ansiReset...)
}

func (c *Console) paintString(dst []byte, sgr, s string) []byte {
	if !c.cfg.color || s == "" {
		return append(dst, s...)
	}
	return append(append(append(dst, sgr...), s...), ansiReset...)
}

func (c *Console) appendBlock(dst []byte, m Message) []byte {
	dst = c.paintString(dst, ansiFaint, "---")
	dst = append(dst, ' ')
	dst = c.paint(dst, ansiBold, printableOrQuoted(m.Topic))
	dst = append(dst, ' ')
	dst = c.appendKey(dst, m.Key)
	dst = append(dst, '\n')
	for _, h := range m.Headers {
		dst = append(dst, "    "...)
		dst = c.paint(dst, ansiCyan, printableOrQuoted(h.Key))
		dst = append(dst, ':')
		if len(h.Value) > 0 {
			dst = append(dst, ' ')
			dst = appendHeaderValue(dst, h.Value, false)
		}
		dst = append(dst, '\n')
	}
	switch v := m.Value; {
	case v == nil:
		dst = c.paintString(dst, ansiFaint, "(no value)")
	case len(v) == 0:
		dst = c.paintString(dst, ansiFaint, "(empty value)")
	case json.Valid(v):
		var b bytes.Buffer
		_ = json.Indent(&b, v, "", "  ") // cannot fail on valid JSON
		dst = c.appendJSON(dst, bytes.TrimSpace(b.Bytes()))
	case isText(v, true):
		dst = c.paintString(dst, ansiFaint, fmt.Sprintf("(not JSON: %d bytes of text)", len(v)))
		dst = append(dst, '\n')
		dst = append(dst, bytes.TrimRight(v, "\n")...)
	default:
		dst = c.paintString(dst, ansiFaint, fmt.Sprintf("(not JSON: %d bytes of binary)", len(v)))
		dst = append(dst, '\n')
		dst = append(dst, bytes.TrimRight([]byte(hex.Dump(v)), "\n")...)
	}
	return append(dst, '\n')
}

func (c *Console) appendCompact(dst []byte, m Message) []byte {
	dst = c.paint(dst, ansiBold, printableOrQuoted(m.Topic))
	dst = append(dst, ' ')
	dst = c.appendKey(dst, m.Key)
	if len(m.Headers) > 0 {
		dst = append(dst, " ["...)
		for i, h := range m.Headers {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = c.paint(dst, ansiCyan, printableOrQuoted(h.Key))
			dst = append(dst, '=')
			dst = appendHeaderValue(dst, h.Value, true)
		}
		dst = append(dst, ']')
	}
	dst = append(dst, ' ')
	switch v := m.Value; {
	case v == nil:
		dst = c.paintString(dst, ansiFaint, "no value")
	case len(v) == 0:
		dst = c.paintString(dst, ansiFaint, "empty value")
	case json.Valid(v):
		var b bytes.Buffer
		_ = json.Compact(&b, v) // cannot fail on valid JSON
		dst = c.appendJSON(dst, b.Bytes())
	case isText(v, true):
		dst = c.paintString(dst, ansiFaint, "text ")
		dst = strconv.AppendQuote(dst, string(v))
	default:
		dst = c.paintString(dst, ansiFaint, "hex ")
		dst = hex.AppendEncode(dst, v)
	}
	return append(dst, '\n')
}

// appendKey appends `key "text"`, `key uuid ...`, `key hex ...` or `no key`.
func (c *Console) appendKey(dst []byte, key []byte) []byte {
	if key == nil {
		return c.paintString(dst, ansiFaint, "no key")
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
	return c.paint(dst, ansiYellow, k)
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
func (c *Console) appendJSON(dst, v []byte) []byte {
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
			sgr := ansiGreen
			if k := skipSpace(v, j); k < len(v) && v[k] == ':' {
				sgr = ansiBlue
			}
			dst = c.paint(dst, sgr, v[i:j])
			i = j
		case ch == '-' || ch >= '0' && ch <= '9' || ch == 't' || ch == 'f' || ch == 'n':
			j := i
			for j < len(v) && !isJSONDelimiter(v[j]) {
				j++
			}
			dst = c.paint(dst, ansiMagenta, v[i:j])
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
