package ansi_test

import (
	"fmt"

	"github.com/otelrelayer/otelrelayer/internal/ansi"
)

func ExamplePainter() {
	on := ansi.Painter{On: true}
	off := ansi.Painter{}
	fmt.Printf("%q\n", on.Paint(ansi.Red+ansi.Bold, "500"))
	fmt.Printf("%q\n", off.Paint(ansi.Red+ansi.Bold, "500"))
	// Output:
	// "\x1b[31m\x1b[1m500\x1b[0m"
	// "500"
}
