package bridge_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// plainWriter is a ResponseWriter that cannot flush (a middleware's writer
// without Flush or Unwrap).
type plainWriter struct {
	header http.Header
	status int
}

func (w *plainWriter) Header() http.Header { return w.header }
func (w *plainWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(b), nil
}
func (w *plainWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

// A flush that could not happen wrote no header: the status the handler
// writes next is the one sent, and the one logged.
func TestHTTPHandlerLogsTheStatusSentAfterAFailedFlush(t *testing.T) {
	rec := otelrelayertest.New(t)
	h := bridge.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).Flush(); !errors.Is(err, http.ErrNotSupported) {
			t.Errorf("Flush: %v, want ErrNotSupported", err)
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}), bridge.WithTracerProvider(rec.TracerProvider()))
	w := &plainWriter{header: http.Header{}}
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	logs := rec.RequestLogs()
	if w.status != http.StatusServiceUnavailable || len(logs) != 1 || logs[0].Status != http.StatusServiceUnavailable {
		t.Fatalf("sent %d, request logs %+v: want 503 sent and logged", w.status, logs)
	}
}
