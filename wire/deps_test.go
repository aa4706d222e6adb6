package wire_test

import (
	"os/exec"
	"strings"
	"testing"
)

// A consumer that decodes our messages must not pull in the OpenTelemetry
// SDK or a Kafka client: wire depends on the standard library (and the
// module's own JSON helpers) only.
func TestDependsOnStandardLibraryOnly(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the dependencies: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "github.com/otelrelayer/otelrelayer/wire").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 5 {
		t.Fatalf("go list -deps listed only %q", deps)
	}
	for _, d := range deps {
		first, _, _ := strings.Cut(d, "/")
		if !strings.Contains(first, ".") {
			continue // the standard library
		}
		if !strings.HasPrefix(d, "github.com/otelrelayer/otelrelayer/") {
			t.Errorf("wire depends on %s; want the standard library and the module's own packages only", d)
		}
		for _, banned := range []string{"go.opentelemetry.io/", "github.com/twmb/franz-go"} {
			if strings.HasPrefix(d, banned) {
				t.Errorf("wire depends on %s", d)
			}
		}
	}
}
