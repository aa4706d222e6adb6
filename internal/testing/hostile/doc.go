// Package hostile writes the records an attacker who can produce to a
// cluster would write, for the tests of the tools that read them: a
// compressed batch built by hand that inflates far beyond its size (a
// decompression bomb), request logs with forged dates, deep nesting and
// huge fields.
package hostile
