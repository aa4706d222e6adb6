// Package doccheck holds tests over the whole module's documentation; it has
// no code.
package doccheck
