package doccheck

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Issue 22, point 7: `make test` says "every test of every module", so its
// MODULES list names every module of the repository (every go.mod).
func TestMakeTestCoversEveryModule(t *testing.T) {
	root := filepath.Join("..", "..")
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^MODULES\s*:?=\s*(.*)$`).FindSubmatch(makefile)
	if m == nil {
		t.Fatal("the Makefile has no MODULES line")
	}
	listed := strings.Fields(string(m[1]))
	var modules []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if d.Name() == "go.mod" {
			dir, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				return err
			}
			modules = append(modules, filepath.ToSlash(dir))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, mod := range modules {
		if !slices.Contains(listed, mod) {
			t.Errorf("module %s (its go.mod) is not in the Makefile's MODULES %v: make test would leave its tests out", mod, listed)
		}
	}
	if last := listed[len(listed)-1]; last != "wire/schematest" {
		t.Errorf("MODULES ends with %s: wire/schematest must come last, to validate what the other modules' tests wrote", last)
	}
}

// Issue 22, point 7: a `go install …@latest` works only once the module is
// published. The @latest lines appear in one block of one page, after the
// page says so, instead of repeating, caveat-less, in every section.
func TestInstallLatestComesOnceWithItsCaveat(t *testing.T) {
	root := filepath.Join("..", "..")
	pages, err := markdownPages(root)
	if err != nil {
		t.Fatal(err)
	}
	fence := regexp.MustCompile("(?ms)^[ \t]*```[a-z]*\n.*?^[ \t]*```$")
	var blocks []string // page: first line of each block with @latest
	for _, page := range pages {
		b, err := os.ReadFile(filepath.Join(root, page))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if strings.Contains(fence.ReplaceAllString(text, ""), "@latest") {
			t.Errorf("%s: @latest in prose: keep the go install lines in the one block of docs/tools.md", page)
		}
		for _, loc := range fence.FindAllStringIndex(text, -1) {
			if !strings.Contains(text[loc[0]:loc[1]], "@latest") {
				continue
			}
			blocks = append(blocks, fmt.Sprintf("%s:%d", page, strings.Count(text[:loc[0]], "\n")+1))
			if !strings.Contains(strings.ToLower(text[:loc[0]]), "until the module is published") {
				t.Errorf("%s:%d: go install …@latest without saying first that it works only once the module is published", page, strings.Count(text[:loc[0]], "\n")+1)
			}
		}
	}
	if len(blocks) > 1 {
		t.Errorf("go install …@latest in %d blocks (%v): keep one, with its caveat", len(blocks), blocks)
	}
}
