package main

import (
	"strings"
	"testing"
	"time"
)

// A variant named twice would start two services writing the same CPU
// profile and print two rows of one name: -variants refuses it, as it
// refuses an unknown variant.
func TestVariantsAreKnownAndDistinct(t *testing.T) {
	for _, tt := range []struct {
		list, wantErr string
	}{
		{"bare,handrolled,relayer", ""},
		{"relayer", ""},
		{"relayer,relayer", `"relayer" twice`},
		{"relayer,nope", `unknown variant "nope"`},
	} {
		t.Run(tt.list, func(t *testing.T) {
			o := options{duration: time.Second, rounds: 1, conns: 1}
			err := o.check(tt.list)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one naming %s", err, tt.wantErr)
			}
		})
	}
}
