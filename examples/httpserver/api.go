package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/otelrelayer/otelrelayer/bridge"
)

// newAPI is a small API whose handlers only use the request context: the
// server span otelhttp started, enriched by bridge.HTTPHandler, is in it.
func newAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", hello)
	mux.HandleFunc("GET /stream", stream)
	// POST: net/http's client retries an idempotent request whose reused
	// connection closes without a response, as a panic does.
	mux.HandleFunc("POST /panic", func(w http.ResponseWriter, r *http.Request) {
		_ = bridge.Log(r.Context(), "info", "reserving stock")
		// bridge.HTTPHandler records status 500 and the panic as an error
		// line, then lets the panic continue to net/http.
		panic("stock service unavailable")
	})
	return mux
}

func hello(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "world"
	}
	// Written to the greeting_sent topic at once, and a line of this
	// request's log.
	if err := bridge.Emit(ctx, "greeting_sent", "web", map[string]string{"name": name}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = bridge.Log(ctx, "info", map[string]string{"msg": "greeted", "name": name})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(greeting(name))
}

// greeting is the body of GET /hello.
func greeting(name string) []byte {
	b, _ := json.Marshal(map[string]string{"greeting": "hello, " + name})
	return b
}

// stream writes its body in flushed chunks, so the response has no
// Content-Length: the request log's content_length counts the bytes written.
func stream(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("chunks"))
	if err != nil || n < 1 || n > 100 {
		http.Error(w, "chunks must be between 1 and 100", http.StatusBadRequest)
		return
	}
	rc := http.NewResponseController(w)
	for i := range n {
		if _, err := fmt.Fprint(w, chunk(i)); err != nil {
			return // the client went away
		}
		_ = rc.Flush()
	}
	_ = bridge.Log(r.Context(), "info", map[string]int{"chunks_streamed": n})
}

// chunk is the i-th chunk of GET /stream.
func chunk(i int) string { return fmt.Sprintf("chunk %d of a streamed body\n", i) }
