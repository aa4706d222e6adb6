package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// make tools (scripts/smoke-tools.sh) runs relayer-dev on KAFKA_PORT and
// its web view on UI_PORT; a port taken, or not a port, stops it before
// anything starts, with the variable that moves it.
func TestSmokeToolsPortsAreOverridable(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	free := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	}
	tests := []struct {
		name       string
		kafka, ui  string
		wantStatus int
		want       string
	}{
		{"broker port taken", taken, free(), 1, "port " + taken + " on 127.0.0.1 is taken (by a local Kafka or web server?); choose another with KAFKA_PORT"},
		{"web view port taken", free(), taken, 1, "port " + taken + " on 127.0.0.1 is taken (by a local Kafka or web server?); choose another with UI_PORT"},
		{"not a port", "kafka", free(), 2, "KAFKA_PORT=kafka is not a port"},
		{"out of range", free(), "70000", 2, "UI_PORT=70000 is not a port"},
		{"the same port twice", "29093", "29093", 2, "KAFKA_PORT and UI_PORT are both 29093"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bash, filepath.Join("..", "..", "scripts", "smoke-tools.sh"))
			cmd.Env = append(os.Environ(), "KAFKA_PORT="+tt.kafka, "UI_PORT="+tt.ui)
			out, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != tt.wantStatus || !strings.Contains(string(out), tt.want) {
				t.Errorf("smoke-tools.sh with KAFKA_PORT=%s UI_PORT=%s: %v, output %q; want status %d saying %q", tt.kafka, tt.ui, err, out, tt.wantStatus, tt.want)
			}
		})
	}
}
