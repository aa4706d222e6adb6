package main

import (
	"strings"
	"testing"
)

// -cpuprofile profiles the first path given in -paths, so -paths keeps its
// order; a name that is no path is an error, not skipped.
func TestPathsKeepTheOrderGiven(t *testing.T) {
	for _, tt := range []struct {
		only    string
		want    string // names, comma-separated
		wantErr string
	}{
		{"memory,spool,spool_10ms", "memory,spool,spool_10ms", ""},
		{"spool,memory", "spool,memory", ""},
		{"spool_10ms", "spool_10ms", ""},
		{"spool,memroy", "", `unknown path "memroy"`},
	} {
		t.Run(tt.only, func(t *testing.T) {
			paths, err := selectPaths(strings.Split(tt.only, ","))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range paths {
				names = append(names, p.name)
			}
			if got := strings.Join(names, ","); got != tt.want {
				t.Errorf("paths %s, want %s (the first is profiled)", got, tt.want)
			}
		})
	}
}
