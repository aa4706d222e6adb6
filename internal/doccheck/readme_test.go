package doccheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 22, point 5: the README's complete program is examples/readme, byte
// for byte, so that the program users copy is the one its test runs.
func TestReadmeProgramIsTheReadmeExample(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	program, err := os.ReadFile(filepath.Join(root, "examples", "readme", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := snippets("README.md", string(readme))
	if err != nil {
		t.Fatal(err)
	}
	var whole []snippet
	for _, s := range all {
		if s.whole() {
			whole = append(whole, s)
		}
	}
	if len(whole) != 1 {
		t.Fatalf("the README has %d complete programs, want 1", len(whole))
	}
	if whole[0].code != string(program) {
		t.Errorf("%s differs from examples/readme/main.go: copy the file into the README", whole[0])
	}
}

// The completion of fragments: what a page shows is compiled with only
// imports, the doccheck comment's declarations, a function around
// statements and uses of what they declare added.
func TestFragmentsAreCompleted(t *testing.T) {
	tests := []struct {
		name, page string
		want       []string // in the generated source, in order
		whole      bool
	}{
		{
			name: "statements get a function, imports and uses",
			page: "<!-- doccheck\nvar ctx context.Context\n-->\n```go\nerr := bridge.Log(ctx, \"info\", 1)\n```\n",
			want: []string{`import bridge "github.com/otelrelayer/otelrelayer/bridge"`, `import context "context"`,
				"var ctx context.Context", "func _() error {", `err := bridge.Log(ctx, "info", 1)`, "_ = err", "return nil"},
		},
		{
			name: "declarations stay at package level",
			page: "```go\nfunc handle(w http.ResponseWriter, r *http.Request) {}\n```\n",
			want: []string{`import http "net/http"`, "func handle("},
		},
		{
			name: "the comment's imports win over the known names",
			page: "<!-- doccheck\nimport trace \"example.com/trace\"\n-->\n```go\ntrace.Start()\n```\n",
			want: []string{`import trace "example.com/trace"`, "trace.Start()"},
		},
		{
			name: "a comment applies only to the block right below it",
			page: "<!-- doccheck\nvar ctx int\n-->\nProse.\n```go\nfmt.Println()\n```\n",
			want: []string{`import fmt "fmt"`, "func _() error {"},
		},
		{
			name:  "indented blocks of a list item are dedented",
			page:  "- item\n\n  ```go\n  package main\n\n  func main() {}\n  ```\n",
			want:  []string{"package main\n\nfunc main() {}\n"},
			whole: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := snippets("page.md", tt.page)
			if err != nil {
				t.Fatal(err)
			}
			if len(s) != 1 {
				t.Fatalf("%d snippets, want 1", len(s))
			}
			if s[0].whole() != tt.whole {
				t.Errorf("whole = %v, want %v", s[0].whole(), tt.whole)
			}
			src, _, err := s[0].source("p")
			if err != nil {
				t.Fatal(err)
			}
			rest := src
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("generated source lacks %q (in order):\n%s", w, src)
				}
				rest = rest[i+len(w):]
			}
			if strings.Contains(src, "var ctx int") {
				t.Errorf("a comment separated from the block by prose was applied:\n%s", src)
			}
		})
	}
}
