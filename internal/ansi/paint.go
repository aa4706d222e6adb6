package ansi

// SGR (Select Graphic Rendition) sequences.
const (
	Reset   = "\x1b[0m"
	Bold    = "\x1b[1m"
	Faint   = "\x1b[2m"
	Red     = "\x1b[31m"
	Green   = "\x1b[32m"
	Yellow  = "\x1b[33m"
	Blue    = "\x1b[34m"
	Magenta = "\x1b[35m"
	Cyan    = "\x1b[36m"
)

// Painter wraps text in an SGR sequence and [Reset] when On, and leaves it
// as it is when off. Empty text is never wrapped, so that no bare escape
// sequence reaches the terminal. The zero Painter is off.
type Painter struct{ On bool }

// Append appends s to dst, painted with sgr.
func (p Painter) Append(dst []byte, sgr string, s []byte) []byte {
	return paint(dst, p.On, sgr, s)
}

// AppendString appends s to dst, painted with sgr.
func (p Painter) AppendString(dst []byte, sgr, s string) []byte {
	return paint(dst, p.On, sgr, s)
}

// Paint returns s painted with sgr.
func (p Painter) Paint(sgr, s string) string {
	if !p.On || s == "" {
		return s // no copy of uncoloured text
	}
	return string(paint(make([]byte, 0, len(sgr)+len(s)+len(Reset)), true, sgr, s))
}

// paint is the one place that decides what painted text looks like.
func paint[S ~string | ~[]byte](dst []byte, on bool, sgr string, s S) []byte {
	if !on || len(s) == 0 {
		return append(dst, s...)
	}
	dst = append(dst, sgr...)
	dst = append(dst, s...)
	return append(dst, Reset...)
}
