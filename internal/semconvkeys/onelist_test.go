package semconvkeys_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// semconvName looks like a semantic-convention attribute or metric name.
var semconvName = regexp.MustCompile(`^(http|url|rpc|messaging|service|client|server|network|net|user_agent|exception|error)\.[a-z_.-]+$`)

// Every semantic-convention name the library spells out is in this
// package's one list: no other package of the library writes one as a
// string literal.
func TestEverySemanticConventionNameIsInTheOneList(t *testing.T) {
	for _, dir := range []string{"bridge", "exporter", "propagation", "wire"} {
		files, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				if v, err := strconv.Unquote(lit.Value); err == nil && semconvName.MatchString(v) {
					t.Errorf("%s spells out %q: use the constant of internal/semconvkeys", file, v)
				}
				return true
			})
		}
	}
}
