package webview_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/cmd/internal/webview"
)

// A View is an http.Handler over the messages it is given; commands feed it
// from Kafka with Follow (or Run) and serve it with Serve.
func Example() {
	v, err := webview.New(webview.WithMaxRequests(100))
	if err != nil {
		panic(err)
	}
	m := tail.Message{Topic: "logging", Partition: 0, Offset: 41,
		Value: []byte(`{"source":"orders","date":"2026-11-27T05:03:52.429079Z","method":"GET","path":"/orders/7",` +
			`"status":404,"request_time":2.968,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","lines":[],"dropped_lines":0}`)}
	tail.Decode(&m, m.Value)
	v.Add(m)

	w := httptest.NewRecorder()
	v.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/?status=4xx", nil))
	fmt.Println(w.Code, regexp.MustCompile(`data-href="[^"]*"`).FindString(w.Body.String()))
	// Output: 200 data-href="/requests/logging/0/41"
}
