package childbroker_test

import (
	"context"
	"fmt"

	"github.com/otelrelayer/otelrelayer/benchmarks/internal/childbroker"
)

// A harness counts the messages on the broker before and after a
// measurement; creating the topics writes one message to each.
func Example() {
	b, err := childbroker.InProcess() // childbroker.Start(env) for a child process
	if err != nil {
		panic(err)
	}
	defer b.Stop()
	ctx := context.Background()
	cnt, err := childbroker.NewCounter(ctx, b.Addrs, "entity_created", "logging")
	if err != nil {
		panic(err)
	}
	defer cnt.Close()
	n, err := cnt.Count(ctx)
	fmt.Println(n, err)
	// Output: 2 <nil>
}
