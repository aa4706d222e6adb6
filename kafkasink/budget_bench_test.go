package kafkasink

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkBudgetAdmit is the budget's work for one record, admitted and
// released, as Produce does it, with the caller's context n values deep (a
// request context carries the server's, the tracer's and middleware's values).
func BenchmarkBudgetAdmit(b *testing.B) {
	for _, depth := range []int{1, 10, 30} {
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			for i := range depth {
				ctx = context.WithValue(ctx, depthKey(i), i)
			}
			bud := newBudget(1000, 1<<20)
			b.ReportAllocs()
			for b.Loop() {
				if err := bud.admit(ctx, 100, func() ProduceOptions { return legacyOptions(ctx) }); err != nil {
					b.Fatal(err)
				}
				bud.release(100)
				bud.finished(false)
			}
		})
	}
}

type depthKey int
