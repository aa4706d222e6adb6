package doccheck

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// module is the main module's path: arrows are between its packages, named
// relative to it.
const module = "github.com/otelrelayer/otelrelayer"

// A rule is one line of a block of docs/ARCHITECTURE.md: from -> to, to, ...
// A package pattern is a package path relative to the module, or one ending
// in /... for that package and every package below it.
type rule struct {
	line int
	from string
	to   []string
}

// matches reports whether the package path pkg (relative to the module)
// matches pattern.
func matches(pattern, pkg string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

var ruleLine = regexp.MustCompile(`^(\S+)\s*->\s*(.*)$`)

// rules returns the lines of the ```kind blocks of the Markdown text.
func rules(text, kind string) ([]rule, error) {
	var out []rule
	in := false
	for i, l := range strings.Split(text, "\n") {
		switch t := strings.TrimSpace(l); {
		case !in && t == "```"+kind:
			in = true
		case in && t == "```":
			in = false
		case in && t != "" && !strings.HasPrefix(t, "#"):
			m := ruleLine.FindStringSubmatch(t)
			if m == nil {
				return nil, fmt.Errorf("line %d: %q is not `package -> package, package...`", i+1, t)
			}
			r := rule{line: i + 1, from: m[1]}
			for _, to := range strings.Split(m[2], ",") {
				if to = strings.TrimSpace(to); to != "" {
					r.to = append(r.to, to)
				}
			}
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no ```%s block", kind)
	}
	return out, nil
}

// allowed reports whether an import from -> to is one of the arrows.
func allowed(arrows []rule, from, to string) bool {
	for _, r := range arrows {
		if matches(r.from, from) && slices.ContainsFunc(r.to, func(p string) bool { return matches(p, to) }) {
			return true
		}
	}
	return false
}

// imports returns the module's packages and, for each, the packages of the
// module it imports (non-test files), all relative to the module.
func imports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := goList(t, root, "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./...")
	graph := map[string][]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(l)
		from := relative(f[0])
		graph[from] = nil
		for _, imp := range f[1:] {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				graph[from] = append(graph[from], relative(imp))
			}
		}
	}
	return graph
}

func relative(pkg string) string {
	if pkg == module {
		return "."
	}
	return strings.TrimPrefix(pkg, module+"/")
}

func goList(t *testing.T, root string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

func architecturePage(t *testing.T) (root, text string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "docs", "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	return root, string(b)
}

// Issue 22, point 6: docs/ARCHITECTURE.md lists who may import whom, and
// the module's import graph (non-test files) keeps to it: an import that no
// arrow allows fails, and so does a rule about a package that no longer
// exists, so that the page stays true.
func TestImportGraphFollowsArchitecturePage(t *testing.T) {
	root, text := architecturePage(t)
	arrows, err := rules(text, "arrows")
	if err != nil {
		t.Fatalf("docs/ARCHITECTURE.md: %v", err)
	}
	graph := imports(t, root)
	for _, from := range slices.Sorted(maps.Keys(graph)) {
		for _, to := range graph[from] {
			if !allowed(arrows, from, to) {
				t.Errorf("%s imports %s: no arrow of docs/ARCHITECTURE.md allows it; add it there if the layering allows it", from, to)
			}
		}
	}
	for _, r := range arrows {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(graph)), func(p string) bool { return matches(r.from, p) }) {
			t.Errorf("docs/ARCHITECTURE.md:%d: no package matches %s: update the page", r.line, r.from)
		}
	}
}

// The page's ```forbidden block: what a package's whole dependency closure
// must not contain (module path prefixes; * is every module but the
// standard library and this one), e.g. the OpenTelemetry SDK for bridge.
func TestDependenciesKeepOutWhatThePageForbids(t *testing.T) {
	root, text := architecturePage(t)
	forbidden, err := rules(text, "forbidden")
	if err != nil {
		t.Fatalf("docs/ARCHITECTURE.md: %v", err)
	}
	for _, r := range forbidden {
		pattern := "./" + r.from
		out := goList(t, root, "-deps", "-f", "{{if not .Standard}}{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}{{end}}", pattern)
		reported := map[string]bool{} // one error per forbidden module
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			f := strings.Fields(l)
			if len(f) < 2 || f[1] == module || reported[f[1]] {
				continue
			}
			for _, bad := range r.to {
				if bad == "*" || f[1] == bad || strings.HasPrefix(f[1], bad+"/") || strings.HasPrefix(f[0], bad+"/") || f[0] == bad {
					t.Errorf("docs/ARCHITECTURE.md:%d: %s depends on %s (module %s), which the page forbids", r.line, r.from, f[0], f[1])
					reported[f[1]] = true
				}
			}
		}
	}
}

// The rules themselves: an import is allowed only by an arrow whose both
// ends match.
func TestArrowsAllowOnlyWhatTheyName(t *testing.T) {
	arrows, err := rules("```arrows\n# comment\nconsolesink -> kafkasink\ncmd/... -> cmd/internal/..., wire\nwire ->\n```\n", "arrows")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, to string
		want     bool
	}{
		{"consolesink", "kafkasink", true},
		{"kafkasink", "consolesink", false},
		{"consolesink", "kafkasink/internal/spool", false},
		{"cmd/relaytail", "cmd/internal/tail", true},
		{"cmd/relaytail", "cmd/internal", true},
		{"cmd/relaytail", "internal/tail", false},
		{"cmdx", "wire", false},
		{"wire", "internal/jsonenc", false},
	}
	for _, tt := range tests {
		t.Run(tt.from+" -> "+tt.to, func(t *testing.T) {
			if got := allowed(arrows, tt.from, tt.to); got != tt.want {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}
