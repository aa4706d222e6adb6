package doccheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// A snippet is one ```go block of a Markdown page.
//
// A block that starts with "package" is a whole file and is compiled as it
// is. Any other block is a fragment: declarations (a func, a type) are
// compiled at package level, statements inside a function returning error
// (so that "return err" compiles), with `_ = v` for each variable the
// fragment declares at its top level, so that a fragment may declare a
// result it does not use. The imports a fragment needs are found from the
// package names it selects from (knownImports). Names a fragment uses but
// does not declare (the ctx of a handler, the order being created) are
// declared in a comment right above the block, invisible on the rendered
// page:
//
//	<!-- doccheck
//	import "google.golang.org/grpc"
//	var ctx context.Context
//	-->
//
// Its import lines are added to the imports, the rest at package level.
type snippet struct {
	file    string // the Markdown page, relative to the repository root
	line    int    // the first line of the block's code in file
	code    string // the block, its fence's indentation removed
	context string // the doccheck comment above it, if any
}

func (s snippet) String() string { return fmt.Sprintf("%s:%d", s.file, s.line) }

// whole reports whether the snippet is a complete file.
func (s snippet) whole() bool {
	_, err := parser.ParseFile(token.NewFileSet(), "", s.code, parser.PackageClauseOnly)
	return err == nil
}

var (
	fenceOpen    = regexp.MustCompile("^([ \t]*)```go[ \t]*$")
	contextOpen  = regexp.MustCompile(`^[ \t]*<!-- doccheck[ \t]*$`)
	contextClose = regexp.MustCompile(`^[ \t]*-->[ \t]*$`)
)

// snippets returns the ```go blocks of the Markdown text of file, each with
// the doccheck comment that ends on the line before it.
func snippets(file, text string) ([]snippet, error) {
	lines := strings.Split(text, "\n")
	var out []snippet
	var ctx []string // the last doccheck comment, nil once a line follows it
	for i := 0; i < len(lines); i++ {
		if contextOpen.MatchString(lines[i]) {
			start := i
			ctx = []string{}
			for i++; i < len(lines) && !contextClose.MatchString(lines[i]); i++ {
				ctx = append(ctx, strings.TrimSpace(lines[i]))
			}
			if i == len(lines) {
				return nil, fmt.Errorf("%s:%d: doccheck comment never closed with -->", file, start+1)
			}
			continue
		}
		m := fenceOpen.FindStringSubmatch(lines[i])
		if m == nil {
			ctx = nil
			continue
		}
		indent, start := m[1], i+1
		var code []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			code = append(code, strings.TrimPrefix(lines[i], indent))
		}
		if i == len(lines) {
			return nil, fmt.Errorf("%s:%d: ```go block never closed", file, start)
		}
		out = append(out, snippet{file: file, line: start + 1, code: strings.Join(code, "\n") + "\n", context: strings.Join(ctx, "\n")})
		ctx = nil
	}
	return out, nil
}

// knownImports maps the package names fragments select from to their
// import paths.
var knownImports = map[string]string{
	"attribute":       "go.opentelemetry.io/otel/attribute",
	"bridge":          "github.com/otelrelayer/otelrelayer/bridge",
	"codes":           "go.opentelemetry.io/otel/codes",
	"consolesink":     "github.com/otelrelayer/otelrelayer/consolesink",
	"context":         "context",
	"errors":          "errors",
	"exporter":        "github.com/otelrelayer/otelrelayer/exporter",
	"fmt":             "fmt",
	"grpc":            "google.golang.org/grpc",
	"http":            "net/http",
	"httptest":        "net/http/httptest",
	"io":              "io",
	"json":            "encoding/json",
	"kafkasink":       "github.com/otelrelayer/otelrelayer/kafkasink",
	"kgo":             "github.com/twmb/franz-go/pkg/kgo",
	"log":             "log",
	"net":             "net",
	"os":              "os",
	"outbox":          "github.com/otelrelayer/otelrelayer/outbox",
	"pgnotify":        "github.com/otelrelayer/otelrelayer/outbox/pgnotify",
	"otel":            "go.opentelemetry.io/otel",
	"otelgrpc":        "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc",
	"otelhttp":        "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
	"otelrelayertest": "github.com/otelrelayer/otelrelayer/otelrelayertest",
	"propagation":     "github.com/otelrelayer/otelrelayer/propagation",
	"sdklog":          "go.opentelemetry.io/otel/sdk/log",
	"sdktrace":        "go.opentelemetry.io/otel/sdk/trace",
	"signal":          "os/signal",
	"slog":            "log/slog",
	"sql":             "database/sql",
	"strings":         "strings",
	"testing":         "testing",
	"time":            "time",
	"tls":             "crypto/tls",
	"trace":           "go.opentelemetry.io/otel/trace",
	"uuid":            "github.com/google/uuid",
	"wire":            "github.com/otelrelayer/otelrelayer/wire",
}

// importLine matches an import of a doccheck comment: import "p" or
// import name "p".
var importLine = regexp.MustCompile(`^import\s+(?:([A-Za-z_][A-Za-z0-9_]*)\s+)?("[^"]+")$`)

// source returns the Go file that compiles the snippet as package pkg, and
// the line of that file where the snippet's code starts.
func (s snippet) source(pkg string) (src string, codeLine int, err error) {
	if s.whole() {
		return s.code, 1, nil
	}
	imports := map[string]string{} // name -> `name "path"`
	var decls []string
	for _, l := range strings.Split(s.context, "\n") {
		if m := importLine.FindStringSubmatch(l); m != nil {
			name := m[1]
			if name == "" {
				name = filepath.Base(strings.Trim(m[2], `"`))
			}
			imports[name] = name + " " + m[2]
		} else if strings.TrimSpace(l) != "" {
			decls = append(decls, l)
		}
	}
	for _, name := range selectedNames(s.context + "\n" + s.code) {
		if _, ok := imports[name]; !ok && knownImports[name] != "" {
			imports[name] = fmt.Sprintf("%s %q", name, knownImports[name])
		}
	}
	var head strings.Builder
	fmt.Fprintf(&head, "package %s\n\n", pkg)
	for _, name := range slices.Sorted(maps.Keys(imports)) {
		fmt.Fprintf(&head, "import %s\n", imports[name])
	}
	head.WriteString(strings.Join(decls, "\n") + "\n\n")
	prefix := head.String()
	codeLine = strings.Count(prefix, "\n") + 1
	if _, perr := parser.ParseFile(token.NewFileSet(), "", prefix+s.code, 0); perr == nil {
		return prefix + s.code, codeLine, nil // declarations
	}
	body := prefix + "func _() error {\n" + s.code
	f, perr := parser.ParseFile(token.NewFileSet(), "", body+"return nil\n}\n", 0)
	if perr != nil {
		return "", 0, fmt.Errorf("%s: neither declarations nor statements: %w", s, perr)
	}
	fn := f.Decls[len(f.Decls)-1].(*ast.FuncDecl)
	var uses strings.Builder
	for _, name := range declaredNames(fn.Body.List) {
		fmt.Fprintf(&uses, "_ = %s\n", name)
	}
	return body + uses.String() + "return nil\n}\n", codeLine + 1, nil
}

// selectedNames returns the identifiers followed by a dot in src: the
// package names it may select from.
func selectedNames(src string) []string {
	fset := token.NewFileSet()
	var sc scanner.Scanner
	sc.Init(fset.AddFile("", fset.Base(), len(src)), []byte(src), nil, 0)
	seen := map[string]bool{}
	prev := ""
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.PERIOD && prev != "" {
			seen[prev] = true
		}
		prev = ""
		if tok == token.IDENT {
			prev = lit
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// declaredNames returns the variables that stmts declare at their own level.
func declaredNames(stmts []ast.Stmt) []string {
	var names []string
	add := func(id *ast.Ident) {
		if id.Name != "_" && !slices.Contains(names, id.Name) {
			names = append(names, id.Name)
		}
	}
	for _, st := range stmts {
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				for _, e := range st.Lhs {
					if id, ok := e.(*ast.Ident); ok {
						add(id)
					}
				}
			}
		case *ast.DeclStmt:
			if gd, ok := st.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, spec := range gd.Specs {
					for _, id := range spec.(*ast.ValueSpec).Names {
						add(id)
					}
				}
			}
		}
	}
	return names
}

// markdownPages returns the pages whose snippets must compile, relative to
// root: the README and every page of docs/.
func markdownPages(root string) ([]string, error) {
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	pages = append([]string{filepath.Join(root, "README.md")}, pages...)
	for i, p := range pages {
		if pages[i], err = filepath.Rel(root, p); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(root, "README.md")); err != nil {
		return nil, err
	}
	return pages, nil
}
