package bridge

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// responseWriter records the status and the bytes actually written. It
// exposes the wrapped writer through Unwrap, so http.ResponseController
// reaches deadlines and the like, and implements FlushError (which
// ResponseController.Flush calls), http.Flusher and http.Hijacker directly
// for code that type-asserts.
type responseWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	written     int64
}

func (w *responseWriter) WriteHeader(code int) {
	// 1xx are informational, except 101: the connection switched protocols
	// (a WebSocket upgrade) and no other status follows.
	if !w.wroteHeader && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
		w.wroteHeader = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = http.StatusOK, true
	}
	n, err := w.ResponseWriter.Write(b)
	w.written += int64(n)
	return n, err
}

func (w *responseWriter) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush implements http.Flusher, for code that type-asserts; it cannot
// return the flush's error, which FlushError does.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError flushes the wrapped writer and returns its error (a broken
// pipe), or an error wrapping http.ErrNotSupported when it cannot flush.
// http.ResponseController.Flush calls it.
func (w *responseWriter) FlushError() error {
	err := http.NewResponseController(w.ResponseWriter).Flush()
	// A flush writes the header (200 unless written) before it can fail
	// on the connection; one that is not supported writes nothing, and
	// the status the handler writes next is the one sent.
	if !w.wroteHeader && !errors.Is(err, http.ErrNotSupported) {
		w.status, w.wroteHeader = http.StatusOK, true
	}
	return err
}

// Hijack implements http.Hijacker; when the wrapped writer cannot hijack,
// the error wraps http.ErrNotSupported, as http.ResponseController's does.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, fmt.Errorf("bridge: %T does not support hijacking: %w", w.ResponseWriter, http.ErrNotSupported)
}
