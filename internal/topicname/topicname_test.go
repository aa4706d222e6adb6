package topicname

import (
	"regexp"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		topic string
		ok    bool
	}{
		{"simple", "orders", true},
		{"all legal characters", "a-Z_0.9", true},
		{"max length", strings.Repeat("a", MaxLen), true},
		{"empty", "", false},
		{"dot", ".", false},
		{"dot dot", "..", false},
		{"too long", strings.Repeat("a", MaxLen+1), false},
		{"space", "my topic", false},
		{"slash", "a/b", false},
		{"unicode", "café", false},
		{"colon", "a:b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.topic)
			if (err == nil) != tt.ok {
				t.Fatalf("Validate(%q) = %v, want ok=%v", tt.topic, err, tt.ok)
			}
		})
	}
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{"orders", "", ".", "..", "a b", strings.Repeat("x", 250)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := Validate(s)
		// An independent oracle: Kafka's own rule, as a regular expression.
		want := kafkaRule.MatchString(s) && s != "." && s != ".."
		if (err == nil) != want {
			t.Fatalf("Validate(%q) = %v, want ok=%v", s, err, want)
		}
	})
}

var kafkaRule = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)
