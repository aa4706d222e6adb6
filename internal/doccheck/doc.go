// Package doccheck holds tests over the whole module's documentation; it has
// no code. Its tests check that comments name identifiers rather than files,
// that every ```go block of the README and of docs/ compiles (fragments
// completed as the snippet type describes), and that the README's complete
// program is examples/readme.
package doccheck
