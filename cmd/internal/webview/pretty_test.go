package webview

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestPrettyIndentsAsEncodingJSON(t *testing.T) {
	for _, v := range []string{
		`{}`, `[]`, `1`, `"a"`, `null`,
		`{"a":1,"b":[1,2,{"c":"d"}],"e":{},"f":[]}`,
		` { "a" : [ 1 , 2 ] , "s" : "x\"y\\\\z,:{}[]" } `,
		`[[[[1]]],{"k":{"k":{"k":true}}}]`,
	} {
		var want bytes.Buffer
		if err := json.Indent(&want, []byte(v), "", "  "); err != nil {
			t.Fatal(err)
		}
		got, why := indentBounded([]byte(v))
		if why != "" || string(got) != strings.TrimSpace(want.String()) {
			t.Errorf("indentBounded(%s) = %q (%s), want %q", v, got, why, want.String())
		}
	}
}

func TestPrettyIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name, value, note string
		maxLen            int
	}{
		{"nested 9,990 deep", strings.Repeat("[", 9990) + strings.Repeat("]", 9990), "nested deeper than 64 levels: shown as written", 20_000},
		{"nested 64 deep", strings.Repeat("[", 63) + "1" + strings.Repeat("]", 63), "", 64 * 64 * 4},
		{"1 MB of small items", "[" + strings.Repeat("1,", 500_000) + "1]", "larger than 256 KiB indented: shown as written, its first 64 KiB of 976 KiB", maxRawShown + 100},
		{"not JSON", "<html>", "", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := pretty([]byte(tc.value))
			if s.Note != tc.note || len(s.Text) > tc.maxLen {
				t.Errorf("pretty: %d bytes, note %q; want at most %d bytes, note %q", len(s.Text), s.Note, tc.maxLen, tc.note)
			}
		})
	}
}
