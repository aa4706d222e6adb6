package webview

import (
	"net/http"
	"strings"
	"testing"
)

// Topic names are any client's: the dev broker takes "/", "?", "#", "%"
// and spaces. A request log on such a topic is listed, and its row's link
// leads to its page and to its download. ("." and ".." cannot be path
// segments at all, and Kafka itself refuses them.)
func TestRequestLogsOnOddTopicNamesAreReachable(t *testing.T) {
	for _, topic := range []string{"logs/v2", "logs?x=1", "logs#top", "logs%2F", "logs 1"} {
		t.Run(topic, func(t *testing.T) {
			v := newView(t)
			add(t, v, message(t, topic, 0, 7, httpLog("GET", "/orders/7", 200, 0, trace1)))
			_, list := get(t, v, "/")
			urls := rowURLs(list)
			if len(urls) != 1 {
				t.Fatalf("the list has %d rows, want 1", len(urls))
			}
			u := strings.ReplaceAll(urls[0], "&amp;", "&")
			if code, page := get(t, v, u); code != http.StatusOK || !strings.Contains(page, "/orders/7") {
				t.Errorf("GET %s: %d, not the request log's page", u, code)
			}
			if code, raw := get(t, v, "/raw"+u); code != http.StatusOK || !strings.Contains(raw, `"path":"/orders/7"`) {
				t.Errorf("GET /raw%s: %d, not the request log", u, code)
			}
		})
	}
}
