package exporter_test

import (
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/exporter"
)

// The package docs say its errors are prefixed "exporter:"; its sentinels
// are too.
func TestExportedErrorsArePrefixedExporter(t *testing.T) {
	for _, err := range []error{exporter.ErrEventWriter, exporter.ErrConfiguration} {
		if !strings.HasPrefix(err.Error(), "exporter: ") {
			t.Errorf("%q: want the prefix \"exporter: \"", err)
		}
	}
}
