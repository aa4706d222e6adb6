package kafkasink_test

import (
	"testing"

	"github.com/otelrelayer/otelrelayer/kafkasink"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

// TestSpoolFailsAMessageWithoutTopic produces a message without topic, which
// no broker can ever take: like a producer without spool, the spool fails it
// through done instead of keeping it to produce again and again (the pump
// then waits on its backoff, and the next process finds it again), and the
// next message is delivered.
func TestSpoolFailsAMessageWithoutTopic(t *testing.T) {
	seeds := otelrelayertest.Cluster(t)
	p := newProducer(t, kafkasink.WithBrokers(seeds...), kafkasink.WithSpool(t.TempDir()))
	bad := newDoneRecorder()
	p.Produce(t.Context(), kafkasink.Message{Value: []byte("no topic")}, bad.done)
	if err := bad.wait(t); err == nil {
		t.Fatal("done(nil) for a message without topic")
	} else {
		t.Logf("done(%v)", err)
	}
	ok := newDoneRecorder()
	p.Produce(t.Context(), spoolMessage("after-no-topic", 0), ok.done)
	if err := ok.wait(t); err != nil {
		t.Fatalf("the next message: %v", err)
	}
}
