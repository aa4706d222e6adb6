package tail_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/otelrelayer/otelrelayer/cmd/internal/tail"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// The error for a missing topic lists the topics there, which any client
// may have named: a line end in a name must not start a line of its own
// on the terminal (the commands print errors escaped line by line).
func TestMissingTopicErrorEscapesTopicNames(t *testing.T) {
	const evil = "orders\nrelaytail: connected, reading logging"
	brokers := otelrelayertest.Cluster(t, kfake.SeedTopics(1, evil))
	_, err := tail.Open(t.Context(), tail.Config{Brokers: brokers, Topics: []string{"logging"}})
	if !errors.Is(err, tail.ErrNoTopic) {
		t.Fatalf("Open: %v, want ErrNoTopic", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("the error holds a line end of a topic name:\n%s", err)
	}
	if !strings.Contains(err.Error(), `orders\nrelaytail`) {
		t.Errorf("the error does not list the topic, escaped: %s", err)
	}
}
