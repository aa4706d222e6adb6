package bridge_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// nilPointerError is an error whose Error method dereferences its receiver:
// a typed nil of it panics when asked for its message.
type nilPointerError struct{ msg string }

func (e *nilPointerError) Error() string { return e.msg }

func slogLine(t *testing.T, log func(ctx context.Context, l *slog.Logger)) map[string]any {
	t.Helper()
	rec := otelrelayertest.New(t)
	ctx, span := rec.Tracer().Start(t.Context(), "request")
	log(ctx, slog.New(bridge.NewSlogHandler(nil)))
	span.End()
	logs := rec.RequestLogs()
	if len(logs) != 1 || len(logs[0].Lines) != 1 {
		t.Fatalf("request logs %+v: want one line", logs)
	}
	var payload map[string]any
	if err := json.Unmarshal(logs[0].Lines[0].Payload, &payload); err != nil {
		t.Fatal(err)
	}
	return payload
}

func TestSlogHandlerKeepsARecordWithAnAttributeThatHasNoJSONForm(t *testing.T) {
	payload := slogLine(t, func(ctx context.Context, l *slog.Logger) {
		l.InfoContext(ctx, "m", "ok", 1, "bad", struct{ F float64 }{math.NaN()})
	})
	if payload["msg"] != "m" || payload["ok"] != 1.0 {
		t.Errorf("payload %v: the other attributes are lost", payload)
	}
	if s, _ := payload["bad"].(string); !strings.HasPrefix(s, "!ERROR:") {
		t.Errorf("bad = %#v, want a !ERROR: string as slog.JSONHandler writes", payload["bad"])
	}
}

func TestSlogHandlerWritesATypedNilErrorAsNil(t *testing.T) {
	var typedNil *nilPointerError
	payload := slogLine(t, func(ctx context.Context, l *slog.Logger) {
		l.ErrorContext(ctx, "m", "err", error(typedNil))
	})
	if payload["err"] != "<nil>" {
		t.Errorf("err = %#v, want \"<nil>\" as slog's handlers write", payload["err"])
	}
}

func TestRPCWithATypedNilErrorStillWritesItsRequestLog(t *testing.T) {
	rec := otelrelayertest.New(t)
	call := bridge.RPC("Jobs.run", func(context.Context, int) (int, error) {
		var typedNil *nilPointerError
		return 0, typedNil
	}, bridge.WithTracerProvider(rec.TracerProvider()))
	if _, err := call(t.Context(), 1); err == nil {
		t.Fatal("the typed nil was swallowed")
	}
	logs := rec.RequestLogs()
	if len(logs) != 1 || len(logs[0].Lines) != 1 || !strings.Contains(string(logs[0].Lines[0].Payload), "<nil>") {
		t.Fatalf("request logs %+v: want one with the error line", logs)
	}
}

func TestPanicRecordsTheTypeOfItsValue(t *testing.T) {
	for _, tc := range []struct {
		name     string
		value    any
		wantType string
	}{
		{"string", "bad job", "string"},
		{"error", errors.New("bad job"), "*errors.errorString"},
		{"int", 42, "int"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := otelrelayertest.New(t)
			call := bridge.RPC("Jobs.run", func(context.Context, int) (int, error) { panic(tc.value) },
				bridge.WithTracerProvider(rec.TracerProvider()))
			func() {
				defer func() { _ = recover() }()
				_, _ = call(t.Context(), 1)
			}()
			logs := rec.RequestLogs()
			if len(logs) != 1 || len(logs[0].Lines) != 1 {
				t.Fatalf("request logs %+v: want one error line", logs)
			}
			var payload map[string]any
			if err := json.Unmarshal(logs[0].Lines[0].Payload, &payload); err != nil {
				t.Fatal(err)
			}
			if payload["exception.type"] != tc.wantType {
				t.Errorf("exception.type = %v, want %q", payload["exception.type"], tc.wantType)
			}
		})
	}
}

func TestHTTPHandlerLogsASwitchingProtocolsStatus(t *testing.T) {
	rec := otelrelayertest.New(t)
	h := bridge.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Upgrade", "websocket")
		w.WriteHeader(http.StatusSwitchingProtocols)
	}), bridge.WithTracerProvider(rec.TracerProvider()))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/ws", nil))
	if logs := rec.RequestLogs(); len(logs) != 1 || logs[0].Status != http.StatusSwitchingProtocols {
		t.Fatalf("request logs %+v: want status 101", logs)
	}
}

func TestHTTPHandlerKeepsAQueryStringUpToTheFieldBound(t *testing.T) {
	rec := otelrelayertest.New(t)
	h := bridge.HTTPHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), bridge.WithTracerProvider(rec.TracerProvider()))
	query := "q=" + strings.Repeat("x", 5000)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/search?"+query, nil))
	long := "q=" + strings.Repeat("y", 9000)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/search?"+long, nil))
	logs := rec.RequestLogs()
	if len(logs) != 2 || logs[0].QueryString != query || logs[1].QueryString != long[:8<<10] {
		t.Fatalf("query strings of %d and %d bytes logged as %d and %d bytes, want %d and %d",
			len(query), len(long), len(logs[0].QueryString), len(logs[1].QueryString), len(query), 8<<10)
	}
}

// brokenWriter is a ResponseWriter whose flushes fail, as on a closed
// connection; it cannot hijack.
type brokenWriter struct{ *httptest.ResponseRecorder }

func (brokenWriter) FlushError() error { return syscall.EPIPE }

func TestHTTPHandlerResponseControllerSeesFlushAndHijackErrors(t *testing.T) {
	rec := otelrelayertest.New(t)
	var flushErr, hijackErr error
	var conn net.Conn
	var rw *bufio.ReadWriter
	h := bridge.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		rc := http.NewResponseController(w)
		flushErr = rc.Flush()
		conn, rw, hijackErr = rc.Hijack()
	}), bridge.WithTracerProvider(rec.TracerProvider()))
	h.ServeHTTP(brokenWriter{httptest.NewRecorder()}, httptest.NewRequest("GET", "/", nil))
	if !errors.Is(flushErr, syscall.EPIPE) {
		t.Errorf("Flush = %v, want the broken pipe", flushErr)
	}
	if conn != nil || rw != nil || !errors.Is(hijackErr, http.ErrNotSupported) {
		t.Errorf("Hijack = %v, want an error wrapping http.ErrNotSupported", hijackErr)
	}
}
