package webview

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// replayOrigin takes loopback names and IP addresses, with or without a
// port, and refuses every other host name (one a DNS name could rebind)
// and every other origin.
func TestReplayOrigin(t *testing.T) {
	for _, c := range []struct {
		host, origin, site string
		ok                 bool
	}{
		{"127.0.0.1:9080", "http://127.0.0.1:9080", "", true},
		{"[::1]:9080", "http://[::1]:9080", "", true},
		{"[::1]", "", "", true},
		{"localhost:9080", "http://localhost:9080", "", true},
		{"view.localhost:9080", "", "", true},
		{"192.168.1.7:9080", "https://192.168.1.7:9080", "", true},
		{"attacker.example:9080", "http://attacker.example:9080", "", false},
		{"127.0.0.1.nip.io:9080", "", "", false},
		{"", "", "", false},
		{"127.0.0.1:9080", "http://127.0.0.1:9081", "", false},
		{"127.0.0.1:9080", "null", "same-origin", true}, // a browser under Referrer-Policy: no-referrer
		{"127.0.0.1:9080", "null", "", true},            // no browser's headers: the token decides
		{"127.0.0.1:9080", "null", "cross-site", false},
		{"127.0.0.1:9080", "http://127.0.0.1:9080", "same-site", false},
		{"127.0.0.1:9080", "file://127.0.0.1:9080", "", false},
	} {
		r := httptest.NewRequest(http.MethodPost, "/events/x/replay", nil)
		r.Host = c.host
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		if c.site != "" {
			r.Header.Set("Sec-Fetch-Site", c.site)
		}
		if err := replayOrigin(r); (err == nil) != c.ok {
			t.Errorf("Host %q, Origin %q, Sec-Fetch-Site %q: %v, want ok %v", c.host, c.origin, c.site, err, c.ok)
		}
	}
}
