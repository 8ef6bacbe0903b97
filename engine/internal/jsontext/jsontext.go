// Package jsontext reads JSON without reflection, for the engine's
// requests and states and for bundles: encoding/json costs about ten times
// as much per call in wasm and a quarter of a megabyte of module
// (DESIGN.md, "The JSON codec"). A Scanner is a pull parser over one
// document that never allocates for well-formed input without escapes and
// that no input can make recurse or loop without bound.
package jsontext

import (
	"strconv"
	"unicode/utf8"
)

// Error is malformed input: a code from the list below (or a caller's
// own), the path of the offending field and a message for people.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field is the path of the offending field, such as "event.step" or
	// "os.camera"; empty when the document as a whole is at fault.
	Field string `json:"field,omitempty"`
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Code + ": " + e.Message
	}
	return e.Code + ": " + e.Field + ": " + e.Message
}

// Codes of the scanner's own errors.
const (
	CodeBadJSON = "bad_json" // malformed or truncated JSON
	CodeBadType = "bad_type" // a value of the wrong JSON type
	CodeBadUTF8 = "bad_utf8" // a string that is not UTF-8
)

// New returns a scanner over data.
func New(data []byte) Scanner { return Scanner{Data: data} }

// stringStop marks the bytes that end a run of plain string content: the
// quote, the backslash and control characters. It is a read-only table.
var stringStop = func() (stop [256]bool) {
	for c := 0; c < 0x20; c++ {
		stop[c] = true
	}
	stop['"'], stop['\\'] = true, true
	return
}()

// maxDepth bounds the nesting of values the scanner skips, so that no input
// can make it recurse or loop without bound.
const maxDepth = 64

// Scanner reads one JSON document. After the first error every method
// returns false and Err keeps that first error.
type Scanner struct {
	Data []byte
	Pos  int
	Err  *Error
}

func (s *Scanner) Fail(code, field, msg string) bool {
	if s.Err == nil {
		s.Err = &Error{Code: code, Field: field, Message: msg}
	}
	return false
}

// syntax reports malformed JSON at the current offset.
func (s *Scanner) syntax(field string) bool {
	if s.Pos >= len(s.Data) {
		return s.Fail(CodeBadJSON, field, "the JSON ends too early (truncated?)")
	}
	return s.Fail(CodeBadJSON, field, "malformed JSON at byte "+strconv.Itoa(s.Pos))
}

func (s *Scanner) ws() {
	data, i := s.Data, s.Pos
	for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t') {
		i++
	}
	s.Pos = i
}

// Peek returns the next non-space byte, or 0 at the end of the data. A NUL
// byte reads as 0 too: it is never valid outside a string, and End tells
// the two apart.
func (s *Scanner) Peek() byte {
	s.ws()
	if s.Pos < len(s.Data) {
		return s.Data[s.Pos]
	}
	return 0
}

// kind names the JSON type of the next value, for error messages.
func (s *Scanner) kind() string {
	switch s.Peek() {
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

func (s *Scanner) WrongType(field, want string) bool {
	if s.Err != nil {
		return false
	}
	c := s.Peek()
	if c == 0 || !(c == '{' || c == '[' || c == '"' || c == 't' || c == 'f' || c == 'n' || c == '-' || (c >= '0' && c <= '9')) {
		return s.syntax(field)
	}
	return s.Fail(CodeBadType, field, field+" must be "+want+", not "+s.kind())
}

// object opens an object; iterate its members with next.
func (s *Scanner) Object(field string) bool {
	if s.Err != nil {
		return false
	}
	if s.Peek() != '{' {
		return s.WrongType(field, "an object")
	}
	s.Pos++
	return true
}

// next reads the next member's key of an object opened with object, and
// its colon. It returns false at the closing brace or on an error. first
// tracks whether a comma is due.
func (s *Scanner) Next(first *bool, field string) ([]byte, bool) {
	if s.Err != nil {
		return nil, false
	}
	c := s.Peek()
	if c == '}' {
		s.Pos++
		return nil, false
	}
	if !*first {
		if c != ',' {
			return nil, s.syntax(field)
		}
		s.Pos++
		s.ws()
	}
	*first = false
	if s.Peek() != '"' {
		return nil, s.syntax(field)
	}
	key, ok := s.Str(field)
	if !ok {
		return nil, false
	}
	if s.Peek() != ':' {
		return nil, s.syntax(field)
	}
	s.Pos++
	return key, true
}

// array opens an array; iterate its elements with more.
func (s *Scanner) Array(field string) bool {
	if s.Err != nil {
		return false
	}
	if s.Peek() != '[' {
		return s.WrongType(field, "an array")
	}
	s.Pos++
	return true
}

// more reports whether another element follows in an open array.
func (s *Scanner) More(first *bool, field string) bool {
	if s.Err != nil {
		return false
	}
	c := s.Peek()
	if c == ']' {
		s.Pos++
		return false
	}
	if !*first {
		if c != ',' {
			return s.syntax(field)
		}
		s.Pos++
	}
	*first = false
	return true
}

// Str reads a string value. Without escapes its bytes are Data's own;
// with escapes they are unescaped into new memory (the one allocation of
// well-formed input). Either way they stay valid as long as Data: the
// engine keeps some (a request's now, for receipts), and a name must
// keep its meaning after its value is read.
func (s *Scanner) Str(field string) ([]byte, bool) {
	if s.Err != nil {
		return nil, false
	}
	if s.Peek() != '"' {
		return nil, s.WrongType(field, "a string")
	}
	s.Pos++
	start := s.Pos
	// Locals, not fields, in the loop: the compiler keeps them in
	// registers (in wasm, locals) instead of memory. This loop was half
	// of reading a request.
	data, i := s.Data, s.Pos
	for i < len(data) && !stringStop[data[i]] {
		i++
	}
	s.Pos = i
	if i == len(data) {
		return nil, s.syntax(field)
	}
	switch data[i] {
	case '"':
		s.Pos++
		return data[start:i], true
	case '\\':
		return s.unescape(start, field)
	default:
		return nil, s.Fail(CodeBadJSON, field, "control character in a string at byte "+strconv.Itoa(i))
	}
}

func (s *Scanner) unescape(start int, field string) ([]byte, bool) {
	out := append(make([]byte, 0, s.Pos-start+16), s.Data[start:s.Pos]...)
	for s.Pos < len(s.Data) {
		c := s.Data[s.Pos]
		switch {
		case c == '"':
			s.Pos++
			return out, true
		case c < 0x20:
			return nil, s.Fail(CodeBadJSON, field, "control character in a string at byte "+strconv.Itoa(s.Pos))
		case c != '\\':
			out = append(out, c)
			s.Pos++
			continue
		}
		s.Pos++
		if s.Pos >= len(s.Data) {
			break
		}
		e := s.Data[s.Pos]
		s.Pos++
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
				return nil, s.Fail(CodeBadJSON, field, "bad \\u escape at byte "+strconv.Itoa(s.Pos))
			}
			if r >= 0xD800 && r < 0xDC00 && s.Pos+1 < len(s.Data) && s.Data[s.Pos] == '\\' && s.Data[s.Pos+1] == 'u' {
				save := s.Pos
				s.Pos += 2
				if lo, ok := s.hex4(); ok && lo >= 0xDC00 && lo < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				} else {
					s.Pos = save
				}
			}
			if r >= 0xD800 && r < 0xE000 {
				return nil, s.Fail(CodeBadUTF8, field, field+" holds a lone UTF-16 surrogate")
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, s.Fail(CodeBadJSON, field, "bad escape at byte "+strconv.Itoa(s.Pos-1))
		}
	}
	return nil, s.syntax(field)
}

func (s *Scanner) hex4() (rune, bool) {
	if s.Pos+4 > len(s.Data) {
		return 0, false
	}
	var r rune
	for _, c := range s.Data[s.Pos : s.Pos+4] {
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
	s.Pos += 4
	return r, true
}

// boolean reads true or false.
func (s *Scanner) Bool(field string) (bool, bool) {
	if s.Err != nil {
		return false, false
	}
	switch {
	case s.lit("true"):
		return true, true
	case s.lit("false"):
		return false, true
	}
	return false, s.WrongType(field, "a boolean")
}

// null consumes a null if one is next.
func (s *Scanner) Null() bool {
	s.Peek()
	return s.lit("null")
}

func (s *Scanner) lit(word string) bool {
	s.ws()
	if len(s.Data)-s.Pos >= len(word) && string(s.Data[s.Pos:s.Pos+len(word)]) == word {
		s.Pos += len(word)
		return true
	}
	return false
}

// integer reads a JSON integer that fits in an int64.
func (s *Scanner) Int(field string) (int64, bool) {
	if s.Err != nil {
		return 0, false
	}
	c := s.Peek()
	if c != '-' && (c < '0' || c > '9') {
		return 0, s.WrongType(field, "an integer")
	}
	start := s.Pos
	if c == '-' {
		s.Pos++
	}
	for s.Pos < len(s.Data) && s.Data[s.Pos] >= '0' && s.Data[s.Pos] <= '9' {
		s.Pos++
	}
	if s.Pos < len(s.Data) && (s.Data[s.Pos] == '.' || s.Data[s.Pos] == 'e' || s.Data[s.Pos] == 'E') {
		return 0, s.Fail(CodeBadType, field, field+" must be an integer")
	}
	n, err := strconv.ParseInt(string(s.Data[start:s.Pos]), 10, 64)
	if err != nil {
		return 0, s.Fail(CodeBadType, field, field+" must be an integer that fits in 64 bits")
	}
	return n, true
}

// skip reads over one value of any type, checking its syntax. It keeps
// its own stack of open containers (one bit each), so no input can make
// it recurse.
func (s *Scanner) Skip(field string) bool {
	var objects uint64 // bit i: the container at depth i is an object
	depth := 0
value:
	for s.Err == nil {
		switch c := s.Peek(); {
		case c == '{' || c == '[':
			if depth == maxDepth {
				return s.Fail(CodeBadJSON, field, "nesting deeper than "+strconv.Itoa(maxDepth))
			}
			s.Pos++
			if c == '{' {
				objects |= 1 << depth
			} else {
				objects &^= 1 << depth
			}
			depth++
			if end := s.Peek(); end == '}' || end == ']' {
				break // an empty container is closed below
			}
			if c == '{' && !s.member(field) {
				return false
			}
			continue value
		case c == '"':
			if _, ok := s.Str(field); !ok {
				return false
			}
		case c == 't' || c == 'f':
			if _, ok := s.Bool(field); !ok {
				return false
			}
		case c == 'n':
			if !s.Null() {
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
			c := s.Peek()
			if (object && c == '}') || (!object && c == ']') {
				s.Pos++
				depth--
				continue
			}
			if c != ',' {
				return s.syntax(field)
			}
			s.Pos++
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
func (s *Scanner) member(field string) bool {
	if s.Peek() != '"' {
		return s.syntax(field)
	}
	if _, ok := s.Str(field); !ok {
		return false
	}
	if s.Peek() != ':' {
		return s.syntax(field)
	}
	s.Pos++
	return true
}

// number reads over a JSON number.
func (s *Scanner) number() bool {
	d := s.Data
	i := s.Pos
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
	s.Pos = i
	return true
}

// End checks that nothing but white space follows the document: any
// other byte, a NUL included (Peek reads a NUL as the end), is an error.
func (s *Scanner) End() bool {
	if s.Err != nil {
		return false
	}
	s.ws()
	if s.Pos < len(s.Data) {
		return s.Fail(CodeBadJSON, "", "data after the JSON value at byte "+strconv.Itoa(s.Pos))
	}
	return true
}
