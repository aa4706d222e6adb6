package doccheck

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Issue 22, point 5: every ```go block of the README and of docs/ compiles
// (see snippet for how fragments are completed). They are compiled together
// in a scratch module that requires what the examples module requires, with
// this repository in place of the library, and each compiler error is
// reported at its line of the Markdown page.
func TestDocSnippetsCompile(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := markdownPages(root)
	if err != nil {
		t.Fatal(err)
	}
	var all []snippet
	for _, page := range pages {
		text, err := os.ReadFile(filepath.Join(root, page))
		if err != nil {
			t.Fatal(err)
		}
		s, err := snippets(page, string(text))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, s...)
	}
	if len(all) == 0 {
		t.Fatal("no ```go block found in the README and docs/")
	}
	mod := scratchModule(t, root)
	placed := map[string]placement{}
	for i, s := range all {
		dir := fmt.Sprintf("s%03d", i)
		pkg := dir
		if s.whole() {
			pkg = "main"
		}
		src, codeLine, err := s.source(pkg)
		if err != nil {
			t.Error(err)
			continue
		}
		if err := os.Mkdir(filepath.Join(mod, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mod, dir, "snippet.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		placed[dir] = placement{s, codeLine}
	}
	for _, e := range buildErrors(t, mod) {
		p, ok := placed[e.dir]
		if !ok {
			t.Errorf("%s", e.text)
			continue
		}
		t.Errorf("%s:%d: %s", p.file, p.line+e.line-p.codeLine, e.text)
	}
	t.Logf("%d snippets from %d pages compiled", len(placed), len(pages))
}

// placement is where a snippet's code starts in its generated file.
type placement struct {
	snippet
	codeLine int
}

// scratchModule returns a temporary module whose go.mod and go.sum are the
// examples module's, the library replaced by the checkout at root.
func scratchModule(t *testing.T, root string) string {
	t.Helper()
	gomod, err := os.ReadFile(filepath.Join(root, "examples", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gosum, err := os.ReadFile(filepath.Join(root, "examples", "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(string(gomod), "module doccheck.invalid/snippets")
	text = regexp.MustCompile(`(?m)^replace github.com/otelrelayer/otelrelayer => .*$`).
		ReplaceAllString(text, "replace github.com/otelrelayer/otelrelayer => "+strconv.Quote(root))
	// The outbox is a module of its own, which the examples require.
	text = regexp.MustCompile(`(?m)^replace github.com/otelrelayer/otelrelayer/outbox => .*$`).
		ReplaceAllString(text, "replace github.com/otelrelayer/otelrelayer/outbox => "+strconv.Quote(filepath.Join(root, "outbox")))
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), gosum, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// buildError is one compiler error: the package directory, the line in its
// generated file, and the message.
type buildError struct {
	dir  string
	line int
	text string
}

var compilerError = regexp.MustCompile(`^(?:\./)?(s\d+)/snippet\.go:(\d+):(?:\d+:)? (.*)$`)

// buildErrors compiles every package of the module at dir.
func buildErrors(t *testing.T, dir string) []buildError {
	t.Helper()
	cmd := exec.Command("go", "build", "-mod=mod", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	var errs []buildError
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if m := compilerError.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[2])
			errs = append(errs, buildError{dir: m[1], line: n, text: m[3]})
		} else if !strings.HasPrefix(l, "# ") {
			errs = append(errs, buildError{text: l})
		}
	}
	if len(errs) == 0 {
		errs = append(errs, buildError{text: fmt.Sprintf("go build: %v: %s", err, out)})
	}
	return errs
}
