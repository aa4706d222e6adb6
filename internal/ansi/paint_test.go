package ansi

import "testing"

func TestPainterWrapsOnlyNonEmptyTextWhenOn(t *testing.T) {
	tests := []struct {
		name string
		on   bool
		text string
		want string
	}{
		{"on wraps the text", true, "GET", "\x1b[1mGET\x1b[0m"},
		{"on leaves empty text bare", true, "", ""},
		{"off leaves the text as it is", false, "GET", "GET"},
		{"off leaves empty text bare", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Painter{On: tt.on}
			if got := p.Paint(Bold, tt.text); got != tt.want {
				t.Errorf("Paint = %q, want %q", got, tt.want)
			}
			if got := string(p.AppendString([]byte("> "), Bold, tt.text)); got != "> "+tt.want {
				t.Errorf("AppendString = %q, want %q", got, "> "+tt.want)
			}
			if got := string(p.Append([]byte("> "), Bold, []byte(tt.text))); got != "> "+tt.want {
				t.Errorf("Append = %q, want %q", got, "> "+tt.want)
			}
		})
	}
}
