package kafkasink

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// The promise of an acknowledged record allocates nothing: the error it
// keeps for Close's report is copied to the heap only when it is stored,
// on a failure while closing, not on every record.
func TestAcknowledgedRecordPromiseAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are checked without -race")
	}
	p := &memoryProducer{budget: newBudget(1000, 1<<20), brokerErrs: &brokerErrors{}}
	answers := 0
	done := func(err error) {
		if err == nil {
			answers++
		}
	}
	value := []byte("v")
	allocs := testing.AllocsPerRun(1000, func() {
		if err := p.budget.admit(context.Background(), 10, nil); err != nil {
			t.Fatal(err)
		}
		f := inflightPool.Get().(*inflight)
		f.rec = kgo.Record{Topic: "t", Value: value, Context: f}
		f.p, f.size, f.done = p, 10, done
		finishInflight(&f.rec, nil)
	})
	if allocs != 0 {
		t.Fatalf("a delivered record's promise allocates %v times, want 0", allocs)
	}
	if answers < 1000 {
		t.Fatalf("done answered %d times without error, want every call", answers)
	}
}
