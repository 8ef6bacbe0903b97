package engine

import (
	"strconv"
	"unicode/utf8"
)

// The engine reads and writes its JSON without reflection: encoding/json
// costs about ten times as much per call in wasm and a quarter of a
// megabyte of module (DESIGN.md, "The JSON codec"). scanner is a pull
// parser over one document that never allocates for well-formed input
// without escapes; jsonWriter appends to a caller's buffer.

// maxDepth bounds the nesting of values the scanner skips, so that no input
// can make it recurse or loop without bound.
const maxDepth = 64

// scanner reads one JSON document. After the first error every method
// returns false and err keeps that first error.
type scanner struct {
	data    []byte
	pos     int
	err     *Error
	scratch []byte // unescaped strings that had escapes
}

func (s *scanner) fail(code, field, msg string) bool {
	if s.err == nil {
		s.err = &Error{Code: code, Field: field, Message: msg}
	}
	return false
}

// syntax reports malformed JSON at the current offset.
func (s *scanner) syntax(field string) bool {
	if s.pos >= len(s.data) {
		return s.fail(CodeBadJSON, field, "the JSON ends too early (truncated?)")
	}
	return s.fail(CodeBadJSON, field, "malformed JSON at byte "+strconv.Itoa(s.pos))
}

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// kind names the JSON type of the next value, for error messages.
func (s *scanner) kind() string {
	switch s.peek() {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case 0:
		return "nothing"
	default:
		return "a number"
	}
}

func (s *scanner) wrongType(field, want string) bool {
	if s.err != nil {
		return false
	}
	c := s.peek()
	if c == 0 || !(c == '{' || c == '[' || c == '"' || c == 't' || c == 'f' || c == 'n' || c == '-' || (c >= '0' && c <= '9')) {
		return s.syntax(field)
	}
	return s.fail(CodeBadType, field, field+" must be "+want+", not "+s.kind())
}

// object opens an object; iterate its members with next.
func (s *scanner) object(field string) bool {
	if s.err != nil {
		return false
	}
	if s.peek() != '{' {
		return s.wrongType(field, "an object")
	}
	s.pos++
	return true
}

// next reads the next member's key of an object opened with object, and
// its colon. It returns false at the closing brace or on an error. first
// tracks whether a comma is due.
func (s *scanner) next(first *bool, field string) ([]byte, bool) {
	if s.err != nil {
		return nil, false
	}
	c := s.peek()
	if c == '}' {
		s.pos++
		return nil, false
	}
	if !*first {
		if c != ',' {
			return nil, s.syntax(field)
		}
		s.pos++
		s.ws()
	}
	*first = false
	if s.peek() != '"' {
		return nil, s.syntax(field)
	}
	key, ok := s.str(field)
	if !ok {
		return nil, false
	}
	if s.peek() != ':' {
		return nil, s.syntax(field)
	}
	s.pos++
	return key, true
}

// array opens an array; iterate its elements with more.
func (s *scanner) array(field string) bool {
	if s.err != nil {
		return false
	}
	if s.peek() != '[' {
		return s.wrongType(field, "an array")
	}
	s.pos++
	return true
}

// more reports whether another element follows in an open array.
func (s *scanner) more(first *bool, field string) bool {
	if s.err != nil {
		return false
	}
	c := s.peek()
	if c == ']' {
		s.pos++
		return false
	}
	if !*first {
		if c != ',' {
			return s.syntax(field)
		}
		s.pos++
	}
	*first = false
	return true
}

// str reads a string value. The bytes are valid until the next call that
// unescapes a string.
func (s *scanner) str(field string) ([]byte, bool) {
	if s.err != nil {
		return nil, false
	}
	if s.peek() != '"' {
		return nil, s.wrongType(field, "a string")
	}
	s.pos++
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if !stringStop[c] {
			s.pos++
			continue
		}
		switch {
		case c == '"':
			v := s.data[start:s.pos]
			s.pos++
			return v, true
		case c == '\\':
			return s.unescape(start, field)
		default:
			return nil, s.fail(CodeBadJSON, field, "control character in a string at byte "+strconv.Itoa(s.pos))
		}
	}
	return nil, s.syntax(field)
}

func (s *scanner) unescape(start int, field string) ([]byte, bool) {
	out := append(s.scratch[:0], s.data[start:s.pos]...)
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			s.scratch = out
			return out, true
		case c < 0x20:
			return nil, s.fail(CodeBadJSON, field, "control character in a string at byte "+strconv.Itoa(s.pos))
		case c != '\\':
			out = append(out, c)
			s.pos++
			continue
		}
		s.pos++
		if s.pos >= len(s.data) {
			break
		}
		e := s.data[s.pos]
		s.pos++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return nil, s.fail(CodeBadJSON, field, "bad \\u escape at byte "+strconv.Itoa(s.pos))
			}
			if r >= 0xD800 && r < 0xDC00 && s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
				save := s.pos
				s.pos += 2
				if lo, ok := s.hex4(); ok && lo >= 0xDC00 && lo < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				} else {
					s.pos = save
				}
			}
			if r >= 0xD800 && r < 0xE000 {
				return nil, s.fail(CodeBadUTF8, field, field+" holds a lone UTF-16 surrogate")
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, s.fail(CodeBadJSON, field, "bad escape at byte "+strconv.Itoa(s.pos-1))
		}
	}
	return nil, s.syntax(field)
}

func (s *scanner) hex4() (rune, bool) {
	if s.pos+4 > len(s.data) {
		return 0, false
	}
	var r rune
	for _, c := range s.data[s.pos : s.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	s.pos += 4
	return r, true
}

// boolean reads true or false.
func (s *scanner) boolean(field string) (bool, bool) {
	if s.err != nil {
		return false, false
	}
	switch {
	case s.lit("true"):
		return true, true
	case s.lit("false"):
		return false, true
	}
	return false, s.wrongType(field, "a boolean")
}

// null consumes a null if one is next.
func (s *scanner) null() bool {
	s.peek()
	return s.lit("null")
}

func (s *scanner) lit(word string) bool {
	s.ws()
	if len(s.data)-s.pos >= len(word) && string(s.data[s.pos:s.pos+len(word)]) == word {
		s.pos += len(word)
		return true
	}
	return false
}

// integer reads a JSON integer that fits in an int64.
func (s *scanner) integer(field string) (int64, bool) {
	if s.err != nil {
		return 0, false
	}
	c := s.peek()
	if c != '-' && (c < '0' || c > '9') {
		return 0, s.wrongType(field, "an integer")
	}
	start := s.pos
	if c == '-' {
		s.pos++
	}
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		s.pos++
	}
	if s.pos < len(s.data) && (s.data[s.pos] == '.' || s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		return 0, s.fail(CodeBadType, field, field+" must be an integer")
	}
	n, err := strconv.ParseInt(string(s.data[start:s.pos]), 10, 64)
	if err != nil {
		return 0, s.fail(CodeBadType, field, field+" must be an integer that fits in 64 bits")
	}
	return n, true
}

// skip reads over one value of any type, checking its syntax. It keeps
// its own stack of open containers (one bit each), so no input can make
// it recurse.
func (s *scanner) skip(field string) bool {
	var objects uint64 // bit i: the container at depth i is an object
	depth := 0
value:
	for s.err == nil {
		switch c := s.peek(); {
		case c == '{' || c == '[':
			if depth == maxDepth {
				return s.fail(CodeBadJSON, field, "nesting deeper than "+strconv.Itoa(maxDepth))
			}
			s.pos++
			if c == '{' {
				objects |= 1 << depth
			} else {
				objects &^= 1 << depth
			}
			depth++
			if end := s.peek(); end == '}' || end == ']' {
				break // an empty container is closed below
			}
			if c == '{' && !s.member(field) {
				return false
			}
			continue value
		case c == '"':
			if _, ok := s.str(field); !ok {
				return false
			}
		case c == 't' || c == 'f':
			if _, ok := s.boolean(field); !ok {
				return false
			}
		case c == 'n':
			if !s.null() {
				return s.syntax(field)
			}
		case c == '-' || (c >= '0' && c <= '9'):
			if !s.number() {
				return s.syntax(field)
			}
		default:
			return s.syntax(field)
		}
		// After a value: close containers, or go on to the next element.
		for depth > 0 {
			object := objects>>(depth-1)&1 == 1
			c := s.peek()
			if (object && c == '}') || (!object && c == ']') {
				s.pos++
				depth--
				continue
			}
			if c != ',' {
				return s.syntax(field)
			}
			s.pos++
			if object && !s.member(field) {
				return false
			}
			continue value
		}
		return true
	}
	return false
}

// member reads an object member's key and colon.
func (s *scanner) member(field string) bool {
	if s.peek() != '"' {
		return s.syntax(field)
	}
	if _, ok := s.str(field); !ok {
		return false
	}
	if s.peek() != ':' {
		return s.syntax(field)
	}
	s.pos++
	return true
}

// number reads over a JSON number.
func (s *scanner) number() bool {
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(d) && d[i] == '0' {
		i++
	} else if !digits() {
		return false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	s.pos = i
	return true
}

// end checks that nothing but space follows the document.
func (s *scanner) end() bool {
	if s.err != nil {
		return false
	}
	if s.peek() != 0 {
		return s.fail(CodeBadJSON, "", "trailing data after the JSON value at byte "+strconv.Itoa(s.pos))
	}
	return true
}

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
func (w *jsonWriter) bool(v bool) {
	if v {
		w.raw("true")
	} else {
		w.raw("false")
	}
}

// field writes a member whose value is a pre-quoted text.
func (w *jsonWriter) field(k string, t text) {
	w.b = append(w.b, ',', '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
	w.b = append(w.b, t.json...)
}

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

// str writes a JSON string.
func (w *jsonWriter) str(s string) { w.b = appendString(w.b, s) }

// appendString appends s as a JSON string. Non-ASCII text stays UTF-8;
// U+2028 and U+2029 are escaped so that the output is also valid
// JavaScript source.
func appendString[T string | []byte](b []byte, s T) []byte {
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

// stringStop marks the bytes that end a run of plain string content when
// reading: the quote, the backslash and control characters. escapeStart
// marks the bytes that may need escaping when writing, 0xE2 being the
// first byte of U+2028 and U+2029. Both are read-only tables.
var stringStop, escapeStart = func() (stop, esc [256]bool) {
	for c := 0; c < 0x20; c++ {
		stop[c], esc[c] = true, true
	}
	stop['"'], stop['\\'] = true, true
	esc['"'], esc['\\'], esc[0xE2] = true, true, true
	return
}()
