package engine

import "strconv"

// jsonWriter appends JSON to a byte slice.
type jsonWriter struct {
	b []byte
}

func (w *jsonWriter) raw(s string) { w.b = append(w.b, s...) }
func (w *jsonWriter) byte(c byte)  { w.b = append(w.b, c) }
func (w *jsonWriter) int(n int64)  { w.b = strconv.AppendInt(w.b, n, 10) }
func (w *jsonWriter) comma(i int) {
	if i > 0 {
		w.b = append(w.b, ',')
	}
}
func (w *jsonWriter) key(k string) { w.b = append(append(append(w.b, '"'), k...), '"', ':') }

// id writes a string that needs no escaping: the vocabulary, and ids and
// versions from the bundle, which New checks are plain.
func (w *jsonWriter) id(s string) {
	w.b = append(w.b, '"')
	w.b = append(w.b, s...)
	w.b = append(w.b, '"')
}

// plain reports whether s can be written as a JSON string as it is:
// printable ASCII without quote or backslash.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7F || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// appendBytes is appendString for bytes; it converts without copying
// where the compiler can (the string does not escape).
func appendBytes(b []byte, s []byte) []byte { return appendString(b, string(s)) }

// str writes a JSON string.
func (w *jsonWriter) str(s string) { w.b = appendString(w.b, s) }

// appendString appends s as a JSON string. Non-ASCII text stays UTF-8;
// U+2028 and U+2029 are escaped so that the output is also valid
// JavaScript source.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !escapeStart[c] {
			continue
		}
		var esc string
		switch {
		case c == '"':
			esc = `\"`
		case c == '\\':
			esc = `\\`
		case c == '\n':
			esc = `\n`
		case c == '\r':
			esc = `\r`
		case c == '\t':
			esc = `\t`
		case c < 0x20:
			b = append(b, s[start:i]...)
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&15])
			start = i + 1
			continue
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9):
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[s[i+2]-0xA0])
			i += 2
			start = i + 1
			continue
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// escapeStart marks the bytes that may need escaping when writing a
// string: control characters, the quote, the backslash and 0xE2, the first
// byte of U+2028 and U+2029. It is a read-only table.
var escapeStart = func() (esc [256]bool) {
	for c := 0; c < 0x20; c++ {
		esc[c] = true
	}
	esc['"'], esc['\\'], esc[0xE2] = true, true, true
	return
}()

// appendInt appends n in decimal, as strconv.AppendInt does, for trace
// details written into a fixed arena.
func appendInt(b []byte, n int64) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}
