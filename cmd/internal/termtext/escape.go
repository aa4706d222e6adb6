package termtext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsHidden reports whether a terminal would obey r or not show it as
// itself: the C0 and C1 control characters and DEL (escape sequences,
// carriage returns), and the invisible format characters, among them the
// bidirectional controls U+202A–U+202E and U+2066–U+2069, the zero-width
// characters U+200B–U+200F and the byte order mark U+FEFF (Unicode's
// category Cf), and the line and paragraph separators U+2028 and U+2029.
func IsHidden(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// Escape returns s with every hidden character ([IsHidden]) and every byte
// that is not UTF-8 written as a visible Go escape: "\x1b", "\r",
// "\u202e", "\xff". A string without any is returned as is.
func Escape(s string) string {
	if Clean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case IsHidden(r):
			b.WriteString(escapeRune(r))
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Clean reports whether s is UTF-8 without hidden characters: Escape
// returns it as is.
func Clean(s string) bool {
	for i, r := range s {
		if IsHidden(r) || r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return false
		}
	}
	return true
}

func escapeRune(r rune) string {
	switch r {
	case '\a':
		return `\a`
	case '\b':
		return `\b`
	case '\f':
		return `\f`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	case '\v':
		return `\v`
	}
	switch {
	case r < 0x80:
		return fmt.Sprintf(`\x%02x`, r)
	case r <= 0xFFFF:
		return fmt.Sprintf(`\u%04x`, r)
	}
	return fmt.Sprintf(`\U%08x`, r)
}

// Lines is Escape for a message of several lines, such as an error that
// joins others: each line is escaped, the line ends are kept.
func Lines(s string) string {
	if Clean(strings.ReplaceAll(s, "\n", "")) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Escape(l)
	}
	return strings.Join(lines, "\n")
}
