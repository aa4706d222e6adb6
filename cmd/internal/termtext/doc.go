// Package termtext makes text from Kafka records safe to write to a
// terminal: [Escape] is the one function the commands pass every such
// string through (rows, notices, errors, topic names) before it reaches
// stdout or stderr, and [IsHidden] is the one definition of what it
// escapes.
package termtext
