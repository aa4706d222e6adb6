package cli_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
)

// A notice names values any producer wrote (event types, topic names): a
// line end in one must not start a line of its own on the terminal, where
// it could pass for another notice of the command. The line ends of an
// error that joins others are kept.
func TestNoticeValuesCannotForgeLines(t *testing.T) {
	tests := []struct {
		name      string
		format    string
		args      []any
		wantLines int
		want      string
	}{
		{"event type", "%s holds messages that are not request logs: offset %d is %s",
			[]any{"logging", 3, "an event (x\nrelaytail: all caught up/y)"}, 1, `an event (x\nrelaytail: all caught up/y)`},
		{"topic", "reading %s[%d]: %v", []any{"t\r\nrelaytail: ok", 0, errors.New("boom")}, 1, `reading t\r\nrelaytail: ok[0]: boom`},
		{"joined error", "reading %s[%d]: %v", []any{"t", 0, errors.Join(errors.New("one"), errors.New("two\x1b[2J"))}, 2, "two\\x1b[2J"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			cli.Notef(&b, "relaytail", tt.format, tt.args...)
			out := b.String()
			if n := strings.Count(out, "\n"); n != tt.wantLines {
				t.Errorf("the notice takes %d lines, want %d:\n%s", n, tt.wantLines, out)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("the notice does not hold %q:\n%s", tt.want, out)
			}
		})
	}
}
