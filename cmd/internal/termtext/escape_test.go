package termtext

import (
	"testing"
	"unicode"
)

func TestEscapeMakesHiddenCharactersVisible(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain text is kept", "/orders/7 ünïcode ✓", "/orders/7 ünïcode ✓"},
		{"an OSC 52 clipboard write", "\x1b]52;c;cm0gLXJmIH4=\x07", `\x1b]52;c;cm0gLXJmIH4=\a`},
		{"a title change and a screen clear", "\x1b]0;owned\x07\x1b[2J", `\x1b]0;owned\a\x1b[2J`},
		{"the 8-bit CSI and DEL", "a\u009b31mb\x7f", `a\u009b31mb\x7f`},
		{"a carriage return", "ok\rforged", `ok\rforged`},
		{"right-to-left override", "/orders/7\u202e/sgol/nimda", `/orders/7\u202e/sgol/nimda`},
		{"bidi isolates", "a\u2066b\u2067c\u2068d\u2069", `a\u2066b\u2067c\u2068d\u2069`},
		{"bidi embeddings", "\u202a\u202b\u202c\u202d", `\u202a\u202b\u202c\u202d`},
		{"zero-width characters and marks", "a\u200bb\u200cc\u200dd\u200ee\u200ff", `a\u200bb\u200cc\u200dd\u200ee\u200ff`},
		{"a byte order mark", "\ufeffx", `\ufeffx`},
		{"line separators", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"a tag character", "a\U000e0041", `a\U000e0041`},
		{"bytes that are not UTF-8", "a\xffb\xc3", `a\xffb\xc3`},
		{"a replacement character as written", "a\ufffdb", "a\ufffdb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Escape(tc.in)
			if got != tc.want {
				t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
			for _, r := range got {
				if IsHidden(r) || (!unicode.IsPrint(r) && r != ' ') {
					t.Errorf("Escape(%q) keeps %U", tc.in, r)
				}
			}
		})
	}
}

func TestLinesKeepsLineEnds(t *testing.T) {
	got := Lines("first \x1b[2J\nsecond \u202e")
	if want := "first \\x1b[2J\nsecond \\u202e"; got != want {
		t.Errorf("Lines = %q, want %q", got, want)
	}
}

func FuzzEscape(f *testing.F) {
	f.Add("\x1b]0;x\x07\u202e\xff")
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range Escape(s) {
			if IsHidden(r) {
				t.Fatalf("Escape(%q) keeps %U", s, r)
			}
		}
	})
}
