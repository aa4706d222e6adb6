// Package examples_test checks what holds for every example program.
package examples_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The examples use the library's public API only, so that a user can copy
// any of them into a service of their own: no package of this module,
// tests included, imports an internal package of the library.
func TestExamplesImportNoInternalPackage(t *testing.T) {
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,TestImports,XTestImports", "./...")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	n := 0
	for {
		var p struct {
			ImportPath                         string
			Imports, TestImports, XTestImports []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		for _, imports := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
			for _, imp := range imports {
				if isLibraryInternal(imp) {
					t.Errorf("%s imports %s: examples use the public API only", p.ImportPath, imp)
				}
			}
		}
	}
	if n < 5 {
		t.Fatalf("go list found %d packages; want every example", n)
	}
}

// isLibraryInternal reports whether path is an internal package of the
// library rather than of this module (github.com/otelrelayer/otelrelayer/examples).
func isLibraryInternal(path string) bool {
	rest, ok := strings.CutPrefix(path, "github.com/otelrelayer/otelrelayer/")
	if !ok || strings.HasPrefix(rest, "examples/") {
		return false
	}
	return internalElem.MatchString(rest)
}

var internalElem = regexp.MustCompile(`(?:^|/)internal(?:/|$)`)

func TestIsLibraryInternal(t *testing.T) {
	for path, want := range map[string]bool{
		"github.com/otelrelayer/otelrelayer/internal/testkit":       true,
		"github.com/otelrelayer/otelrelayer/cmd/internal/tail":      true,
		"github.com/otelrelayer/otelrelayer/kafkasink/internal/x":   true,
		"github.com/otelrelayer/otelrelayer/internal":               true,
		"github.com/otelrelayer/otelrelayer/examples/internal/demo": false,
		"github.com/otelrelayer/otelrelayer/wire":                   false,
		"github.com/otelrelayer/otelrelayer/internalish":            false,
		"go.opentelemetry.io/otel/internal/global":                  false,
	} {
		if got := isLibraryInternal(path); got != want {
			t.Errorf("isLibraryInternal(%q) = %v, want %v", path, got, want)
		}
	}
}
