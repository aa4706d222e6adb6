package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/otelrelayer/otelrelayer/examples/internal/demo"
	"github.com/otelrelayer/otelrelayer/examples/internal/demotest"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// TestOtelhttpAlone shows that plain otelhttp, without bridge.HTTPHandler,
// is enough for a request log: its fields come from otelhttp's attributes.
// The proxy headers are what bridge.HTTPHandler adds, so they stay empty.
// otelhttp v0.72 writes only the stable conventions and ignores http/dup;
// that case keeps the older names covered by an otelhttp that honours it.
func TestOtelhttpAlone(t *testing.T) {
	for _, optIn := range []string{"", "http/dup"} {
		t.Run("OTEL_SEMCONV_STABILITY_OPT_IN="+optIn, func(t *testing.T) {
			t.Setenv("OTEL_SEMCONV_STABILITY_OPT_IN", optIn)
			brokers := otelrelayertest.Cluster(t)
			tp, _, err := demo.Install(brokers, "otelhttp-alone")
			if err != nil {
				t.Fatal(err)
			}
			// Built after Setenv: instrumentation reads the variable then.
			srv := httptest.NewServer(otelhttp.NewHandler(newAPI(), "api"))
			req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/hello?name=ada", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("User-Agent", userAgent)
			req.Header.Set("X-Request-ID", "req-alone")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			srv.Close()
			if err := tp.Shutdown(t.Context()); err != nil {
				t.Fatal(err)
			}

			logs := demotest.ReadRequestLogs(t, brokers)
			if len(logs) != 1 {
				t.Fatalf("%d request logs, want 1", len(logs))
			}
			l := logs[0]
			demotest.CheckString(t, "user_agent", l.UserAgent, userAgent)
			demotest.CheckString(t, "method", l.Method, "GET")
			demotest.CheckString(t, "path", l.Path, "/hello")
			// otelhttp v0.72 records no url.query (nor http.target): only
			// bridge.HTTPHandler can bring the query string.
			demotest.CheckString(t, "query_string", l.QueryString, "")
			demotest.CheckString(t, "remote_addr", l.RemoteAddr, "127.0.0.1")
			demotest.CheckString(t, "x_forwarded_for", l.XForwardedFor, "")
			demotest.CheckString(t, "request_id", l.RequestID, "")
			if l.Status != http.StatusOK {
				t.Errorf("status = %d, want 200", l.Status)
			}
			if l.ContentLength != int64(len(body)) || len(body) == 0 {
				t.Errorf("content_length = %d, the client read %d bytes", l.ContentLength, len(body))
			}
			if l.RequestTime <= 0 {
				t.Errorf("request_time = %v, want > 0", l.RequestTime)
			}
			demotest.CheckString(t, "lines", strings.Join(demo.LineKinds(l), ", "), "event greeting_sent, info")
		})
	}
}
