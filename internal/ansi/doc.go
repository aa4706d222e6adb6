// Package ansi colours terminal text with ANSI SGR sequences: the colour
// constants and one painter, shared by the console sink and the commands so
// that both print the same colours the same way.
package ansi
