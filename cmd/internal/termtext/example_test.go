package termtext_test

import (
	"fmt"

	"github.com/otelrelayer/otelrelayer/cmd/internal/termtext"
)

func ExampleEscape() {
	fmt.Println(termtext.Escape("GET /orders/7\u202e/sgol/nimda \x1b[2J"))
	// Output: GET /orders/7\u202e/sgol/nimda \x1b[2J
}
