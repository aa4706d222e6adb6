package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// CI's scripts/smoke-tools.sh checks relaytail -h with bash's pipefail on.
// Its check must not depend on scheduling: a reader that stops at the first
// match (grep -q) kills relaytail with SIGPIPE while it still writes its
// flags, and pipefail then fails CI. The check, run many times against the
// built command, always passes.
func TestSmokeCheckOfHelpIsNotFlaky(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script, err := os.ReadFile(filepath.Join("..", "..", "scripts", "smoke-tools.sh"))
	if err != nil {
		t.Fatal(err)
	}
	var check string
	for line := range strings.SplitSeq(string(script), "\n") {
		if strings.Contains(line, "go run ./cmd/relaytail -h") {
			check = line
		}
	}
	if check == "" {
		t.Fatal("scripts/smoke-tools.sh has no line running go run ./cmd/relaytail -h")
	}
	bin := filepath.Join(t.TempDir(), "relaytail")
	if out, err := exec.Command(goCmd, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	check = strings.ReplaceAll(check, "go run ./cmd/relaytail", bin)
	failed := 0
	const runs = 100
	for range runs {
		if err := exec.Command(bash, "-c", "set -euo pipefail\n"+check).Run(); err != nil {
			failed++
		}
	}
	if failed > 0 {
		t.Errorf("the check %q failed %d times in %d", check, failed, runs)
	}
}
