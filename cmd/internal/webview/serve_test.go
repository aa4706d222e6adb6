package webview

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestListenDefaultsToLoopback(t *testing.T) {
	ln, err := Listen(":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if a := ln.Addr().(*net.TCPAddr); !a.IP.IsLoopback() {
		t.Errorf("Listen(\":0\") listens on %v, want loopback", a)
	}
	if u := URL(ln); !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/") {
		t.Errorf("URL %q", u)
	}
	for _, bad := range []string{"8080", "localhost", ""} {
		if _, err := Listen(bad); err == nil || !strings.Contains(err.Error(), "want host:port or :port") {
			t.Errorf("Listen(%q): %v", bad, err)
		}
	}
}

func TestServeAnswersOnlyLoopbackNames(t *testing.T) {
	v := shop(t)
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, v) }()

	port := ln.Addr().(*net.TCPAddr).Port
	for host, want := range map[string]int{
		"localhost": 200, "127.0.0.1": 200, "[::1]": 200, "app.localhost": 200,
		"rebound.example.com": http.StatusMisdirectedRequest, "10.0.0.1": http.StatusMisdirectedRequest,
	} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
		req.Host = net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(port))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", req.Host, resp.StatusCode, want)
		}
	}

	// A page's open live stream does not keep Serve from returning.
	resp, err := http.Get("http://" + ln.Addr().String() + "/live")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}
