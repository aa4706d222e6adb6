package doccheck

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fileRef matches a file name such as env.go in prose.
var fileRef = regexp.MustCompile(`\b[A-Za-z0-9_]+\.go\b`)

// Issue 11, point 15: documentation points at identifiers, never at files
// (`go doc exporter.New` once said "see env.go"). Every comment of every
// non-test Go file of the module, examples included, is checked.
func TestDocsNameIdentifiersNotFiles(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if m := fileRef.FindString(c.Text); m != "" && !strings.Contains(c.Text, "go:") {
					t.Errorf("%s: comment names the file %s: name the identifier instead: %s", fset.Position(c.Pos()), m, c.Text)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
