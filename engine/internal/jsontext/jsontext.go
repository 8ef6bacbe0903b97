//go:build !jsontext_reference

// Package jsontext reads JSON without reflection, for the engine's
// requests and states and for bundles: encoding/json costs about ten
// times as much per call in wasm and a quarter of a megabyte of module
// (RATIONALE.md, "Why does the engine read and write JSON by hand?"). A
// Scanner is a pull parser over one document that never allocates for
// well-formed input without escapes and that no input can make recurse or
// loop without bound.
//
// # What it accepts
//
// A document is one JSON value (RFC 8259) between optional white space,
// and nothing after it: a NUL byte is data like any other. Strings must be
// UTF-8 with no lone UTF-16 surrogate escape ("\ud800"), and no object may
// repeat a name (compared after unescaping). These are the rules on which
// JSON readers differ (I-JSON, RFC 7493, makes them the norm): a reader
// that took the last of two equal names, or the first, or mended bad
// UTF-8, would see another document than the engine. The package's fuzz
// test holds Check and the reading methods to the verdict of
// github.com/go-json-experiment/json/jsontext (the coming
// encoding/json/jsontext) with its default options, and their values to
// encoding/json's, with one difference written down: Skip and Check give
// up below 64 levels of nesting under the value they start at (the
// reference allows 10,000); a bundle envelope, the deepest of the
// engine's formats, nests 10 (the payload Check reads, 9).
//
// Skip is the one lenient method: it reads over a value its caller will
// not use, such as a state the engine cannot use, checking only the
// grammar (not UTF-8, surrogates or repeated names), so that what is
// wrong inside such a value stays the caller's verdict.
package jsontext

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"unicode/utf8"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

// New returns a scanner over data.
func New(data []byte) Scanner { return Scanner{Data: data} }

// Validate reads data as one document with Check and End: nil if it is
// one JSON value that any reader reads alike, else the first error.
func Validate(data []byte) *errcode.Error {
	s := New(data)
	if s.Check("") {
		s.End()
	}
	return s.Err
}

// stop marks the bytes that end a run of plain string content: the quote,
// the backslash and control characters (stopGrammar), and the bytes that
// begin a multi-byte UTF-8 sequence, to be checked (stopUTF8). It is a
// read-only table.
var stop = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = stopGrammar
	}
	t['"'], t['\\'] = stopGrammar, stopGrammar
	for c := 0x80; c < 0x100; c++ {
		t[c] = stopUTF8
	}
	return
}()

const (
	stopGrammar = 1
	stopUTF8    = 2
)

// plain8 reports whether none of eight bytes (a little-endian word) stops
// a run of plain string content: none is a quote, a backslash, a control
// character or above 0x7F. Str reads a string eight bytes at a time with
// it before it goes byte by byte: in wasm, where Go turns every jump back
// to a loop's start into a jump through the function's branch table, a
// turn per byte costs more than the word's arithmetic.
//
// With no byte above 0x7F (the last term), subtracting 0x01 or 0x20 from
// each byte borrows across a byte only from one that was below it, so
// each difference has a high bit set exactly when some byte is zero
// (after the XOR: a quote or a backslash) or below 0x20.
func plain8(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote, backslash := w^('"'*ones), w^('\\'*ones)
	return ((quote-ones)|(backslash-ones)|(w-0x20*ones)|w)&highs == 0
}

// maxDepth bounds the nesting of values Skip and Check read over, so that
// no input can make them loop without bound.
const maxDepth = 64

// Scanner reads one JSON document. After the first error every method
// returns false and Err keeps that first error.
//
// An object opened with Object must be read to its closing brace (Next
// returning false) before the object around it goes on: the scanner keeps
// each open object's names, to reject a repeated one.
type Scanner struct {
	Data []byte
	Pos  int
	Err  *errcode.Error
	// Checked says that Data is a document that Check (or Validate) has
	// accepted already, such as a bundle's payload once its envelope is
	// read: the reading methods then skip what Check checks, names and
	// UTF-8, and read it in half the time.
	Checked bool
	names   names
}

// Fail records an error, unless one is recorded already, and returns false.
func (s *Scanner) Fail(code errcode.Code, field, msg string) bool {
	if s.Err == nil {
		s.Err = &errcode.Error{Code: code, Field: field, Message: msg}
	}
	return false
}

// syntax reports malformed JSON at the current offset.
func (s *Scanner) syntax(field string) bool {
	if s.Pos >= len(s.Data) {
		return s.Fail(errcode.BadJSON, field, "the JSON ends too early (truncated?)")
	}
	return s.Fail(errcode.BadJSON, field, "malformed JSON at byte "+strconv.Itoa(s.Pos))
}

func (s *Scanner) ws() {
	data, i := s.Data, s.Pos
	// A byte above the space is no white space: one comparison for the
	// compact JSON hosts send, instead of four.
	for i < len(data) && data[i] <= ' ' && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t') {
		i++
	}
	s.Pos = i
}

// Peek skips white space and returns the next byte, or 0 at the end of the
// data. A NUL byte reads as 0 too: it is never valid outside a string, so
// every method rejects it, and End tells the end from a NUL.
func (s *Scanner) Peek() byte {
	s.ws()
	if s.Pos < len(s.Data) {
		return s.Data[s.Pos]
	}
	return 0
}

// kind names the JSON type of the next value, which is well formed, for
// error messages.
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
	default:
		return "a number"
	}
}

// WrongType reports that the next value is not of the type want names
// ("an object"): bad_type if it is a well-formed value of another type,
// bad_json if it is not a well-formed value at all.
func (s *Scanner) WrongType(field, want string) bool {
	if s.Err != nil {
		return false
	}
	pos := s.Pos
	if !s.Skip(field) {
		return false
	}
	s.Pos = pos
	return s.Fail(errcode.BadType, field, field+" must be "+want+", not "+s.kind())
}

// Object opens an object; iterate its members with Next.
func (s *Scanner) Object(field string) bool {
	if s.Err != nil {
		return false
	}
	if s.Peek() != '{' {
		return s.WrongType(field, "an object")
	}
	s.Pos++
	if !s.Checked {
		s.names.open()
	}
	return true
}

// Next reads the next member's name of an object opened with Object, and
// its colon. It returns false at the closing brace or on an error; a name
// the object already has is an error (errcode.DuplicateField, its Field the
// member's path). first tracks whether a comma is due. The name's bytes
// stay valid as long as Data.
func (s *Scanner) Next(first *bool, field string) ([]byte, bool) {
	if s.Err != nil {
		return nil, false
	}
	c := s.Peek()
	if c == '}' {
		s.Pos++
		if !s.Checked {
			s.closeNames()
		}
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
	if key, ok := s.plainName(); ok {
		if !s.Checked && !s.addName(s.Pos-len(key)-2, key, field, true) {
			return nil, false
		}
		s.Pos++ // the colon
		return key, true
	}
	if s.Peek() != '"' {
		return nil, s.syntax(field)
	}
	at := s.Pos
	key, ok := s.Str(field)
	if !ok || (!s.Checked && !s.addName(at, key, field, true)) {
		return nil, false
	}
	if s.Peek() != ':' {
		return nil, s.syntax(field)
	}
	s.Pos++
	return key, true
}

// plainName reads a member's name the way compact JSON writes it, if it
// is written so: its quote at Pos, plain ASCII (no escape, control
// character or multi-byte sequence), its closing quote followed at once
// by the colon. It leaves Pos at the colon. Any other name is Next's
// general path's to read, with its errors. In wasm this spares most
// names a call to Str and a look for the colon past white space.
func (s *Scanner) plainName() ([]byte, bool) {
	data, i := s.Data, s.Pos
	if i >= len(data) || data[i] != '"' {
		return nil, false
	}
	j := i + 1
	for j < len(data) && stop[data[j]] == 0 {
		j++
	}
	if j+1 >= len(data) || data[j] != '"' || data[j+1] != ':' {
		return nil, false
	}
	s.Pos = j + 1
	return data[i+1 : j], true
}

// Array opens an array; iterate its elements with More.
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

// More reports whether another element follows in an open array.
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
// well-formed input). Either way they stay valid as long as Data.
func (s *Scanner) Str(field string) ([]byte, bool) {
	if s.Err != nil {
		return nil, false
	}
	if s.Peek() != '"' {
		return nil, s.WrongType(field, "a string")
	}
	start := s.Pos + 1
	// Locals, not fields, in the loop: the compiler keeps them in
	// registers (in wasm, locals) instead of memory. This loop was half
	// of reading a request.
	data, i := s.Data, start
	for i+8 <= len(data) && plain8(binary.LittleEndian.Uint64(data[i:])) {
		i += 8
	}
	for i < len(data) && stop[data[i]] == 0 {
		i++
	}
	if i < len(data) && data[i] == '"' {
		s.Pos = i + 1
		return data[start:i], true
	}
	escaped, ok := s.str(field, !s.Checked, i)
	if !ok {
		return nil, false
	}
	if !escaped {
		return data[start : s.Pos-1], true
	}
	return unquote(data[start : s.Pos-1]), true
}

// str reads over the string whose quote is at Pos, from its content's
// byte i on (the bytes before are plain), checking its grammar and, if
// strict, its UTF-8 and surrogate escapes. It reports whether the string
// has escapes.
func (s *Scanner) str(field string, strict bool, i int) (escaped, ok bool) {
	var mask uint8 = stopGrammar
	if strict {
		mask |= stopUTF8
	}
	data := s.Data
	for {
		for i < len(data) && stop[data[i]]&mask == 0 {
			i++
		}
		if i >= len(data) {
			s.Pos = i
			return escaped, s.syntax(field)
		}
		switch c := data[i]; {
		case c == '"':
			s.Pos = i + 1
			return escaped, true
		case c < 0x20:
			s.Pos = i
			return escaped, s.Fail(errcode.BadJSON, field, "control character in a string at byte "+strconv.Itoa(i))
		case c >= 0x80:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				s.Pos = i
				return escaped, s.Fail(errcode.BadUTF8, field, "invalid UTF-8 at byte "+strconv.Itoa(i))
			}
			i += size
			continue
		}
		// A backslash.
		escaped = true
		if i+1 >= len(data) {
			s.Pos = len(data)
			return escaped, s.syntax(field)
		}
		switch data[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
			continue
		case 'u':
		default:
			s.Pos = i
			return escaped, s.Fail(errcode.BadJSON, field, "bad escape at byte "+strconv.Itoa(i))
		}
		r, ok := hex4(data, i+2)
		if !ok {
			s.Pos = i
			return escaped, s.Fail(errcode.BadJSON, field, "bad \\u escape at byte "+strconv.Itoa(i))
		}
		at := i
		i += 6
		if !strict || r < 0xD800 || r >= 0xE000 {
			continue
		}
		if r < 0xDC00 && i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
			if lo, ok := hex4(data, i+2); ok && lo >= 0xDC00 && lo < 0xE000 {
				i += 6
				continue
			}
		}
		s.Pos = at
		return escaped, s.Fail(errcode.BadUTF8, field, "lone UTF-16 surrogate at byte "+strconv.Itoa(at))
	}
}

// unquote returns the unescaped content of a string that str has checked
// strictly, in new memory.
func unquote(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\\')
		if j < 0 {
			return append(out, raw[i:]...)
		}
		out = append(out, raw[i:i+j]...)
		i += j
		switch e := raw[i+1]; e {
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
			r, _ := hex4(raw, i+2)
			if r >= 0xD800 && r < 0xDC00 { // a pair, as str checked
				lo, _ := hex4(raw, i+8)
				r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				i += 6
			}
			out = utf8.AppendRune(out, r)
			i += 6
			continue
		default: // '"', '\\', '/'
			out = append(out, e)
		}
		i += 2
	}
	return out
}

// hex4 reads the four hex digits at data[i:].
func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
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
	return r, true
}

// Bool reads true or false.
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

// Null consumes a null if one is next.
func (s *Scanner) Null() bool {
	return s.Err == nil && s.lit("null")
}

func (s *Scanner) lit(word string) bool {
	s.ws()
	if len(s.Data)-s.Pos >= len(word) && string(s.Data[s.Pos:s.Pos+len(word)]) == word {
		s.Pos += len(word)
		return true
	}
	return false
}

// Int reads a JSON integer that fits in an int64. A number with a
// fraction or an exponent is of the wrong type, even 1.0 or 1e3.
func (s *Scanner) Int(field string) (int64, bool) {
	if s.Err != nil {
		return 0, false
	}
	c := s.Peek()
	if c != '-' && (c < '0' || c > '9') {
		return 0, s.WrongType(field, "an integer")
	}
	start := s.Pos
	if !s.number() {
		return 0, s.syntax(field)
	}
	if !digitsOnly(s.Data[start:s.Pos]) {
		s.Pos = start
		return 0, s.Fail(errcode.BadType, field, field+" must be an integer")
	}
	if digits := s.Data[start:s.Pos]; len(digits) <= 18 {
		// At most 18 characters, sign included, cannot overflow: read
		// them here rather than through strconv, which copies them into
		// a string first: in wasm, a profile of the module put it at a
		// tenth of reading a state.
		neg := digits[0] == '-'
		if neg {
			digits = digits[1:]
		}
		var n int64
		for _, c := range digits {
			n = n*10 + int64(c-'0')
		}
		if neg {
			n = -n
		}
		return n, true
	}
	n, err := strconv.ParseInt(string(s.Data[start:s.Pos]), 10, 64)
	if err != nil {
		s.Pos = start
		return 0, s.Fail(errcode.BadType, field, field+" must be an integer that fits in 64 bits")
	}
	return n, true
}

// digitsOnly reports whether a number has neither fraction nor exponent.
func digitsOnly(number []byte) bool {
	for _, c := range number {
		if c == '.' || c == 'e' || c == 'E' {
			return false
		}
	}
	return true
}

// Skip reads over one value of any type that its caller will not use,
// checking its grammar only: not the UTF-8 of its strings, their surrogate
// escapes or repeated names (Check does). It keeps its own stack of open
// containers (one bit each), so no input can make it recurse.
func (s *Scanner) Skip(field string) bool { return s.skip(field, false) }

// Check reads over one value of any type as Skip does, and rejects in it
// what the reading methods reject: invalid UTF-8, lone surrogate escapes
// and a name repeated in an object.
func (s *Scanner) Check(field string) bool { return s.skip(field, true) }

func (s *Scanner) skip(field string, strict bool) bool {
	var objects uint64 // bit i: the container at depth i is an object
	depth := 0
value:
	for s.Err == nil {
		switch c := s.Peek(); {
		case c == '{' || c == '[':
			if depth == maxDepth {
				return s.Fail(errcode.BadJSON, field, "nesting deeper than "+strconv.Itoa(maxDepth))
			}
			s.Pos++
			if c == '{' {
				objects |= 1 << depth
				if strict {
					s.names.open()
				}
			} else {
				objects &^= 1 << depth
			}
			depth++
			if end := s.Peek(); end == '}' || end == ']' {
				break // an empty container is closed below
			}
			if c == '{' && !s.member(field, strict) {
				return false
			}
			continue value
		case c == '"':
			if _, ok := s.str(field, strict, s.Pos+1); !ok {
				return false
			}
		case c == 't':
			if !s.lit("true") {
				return s.syntax(field)
			}
		case c == 'f':
			if !s.lit("false") {
				return s.syntax(field)
			}
		case c == 'n':
			if !s.lit("null") {
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
				if object && strict {
					s.closeNames()
				}
				continue
			}
			if c != ',' {
				return s.syntax(field)
			}
			s.Pos++
			if object && !s.member(field, strict) {
				return false
			}
			continue value
		}
		return true
	}
	return false
}

// member reads an object member's name and colon.
func (s *Scanner) member(field string, strict bool) bool {
	if s.Peek() != '"' {
		return s.syntax(field)
	}
	if strict {
		at := s.Pos
		if key, ok := s.Str(field); !ok || !s.addName(at, key, field, false) {
			return false
		}
	} else if _, ok := s.str(field, false, s.Pos+1); !ok {
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
// other byte, a NUL included, is an error.
func (s *Scanner) End() bool {
	if s.Err != nil {
		return false
	}
	s.ws()
	if s.Pos < len(s.Data) {
		return s.Fail(errcode.BadJSON, "", "data after the JSON value at byte "+strconv.Itoa(s.Pos))
	}
	return true
}

// names keeps the names of the objects being read, to find a repeated
// one. Each open object is a mark followed by its names; each mark holds
// the index of the mark before it. The first entries live in the scanner
// itself, so that reading a request allocates nothing. An object's first
// names are compared one by one; once it has linearNames, they go into a
// hash set of its own, so that no input makes the check quadratic.
type names struct {
	inline [24]entry
	more   []entry
	n      int    // entries held
	top    int    // 1 + the index of the innermost open object's mark; 0 if none
	esc    []byte // the unescaped bytes of names that had escapes
	sets   [][]uint32
	big    int // sets in use, one for each open object with many names
}

type entry struct {
	at   uint32 // a name: the offset of its quote in Data; a mark: the top before it
	off  uint32 // a name: where its bytes start, in Data or esc; a mark: len(esc) when opened
	n    uint32 // a name: its length; a mark: 1 + the index of its set, 0 if none
	kind uint8
}

const (
	inData = iota // a name whose bytes are Data's
	inEsc         // a name whose bytes are in esc
	mark          // an object's start
)

// linearNames is how many names of an object are compared one by one.
const linearNames = 16

func (t *names) get(i int) *entry {
	if i < len(t.inline) {
		return &t.inline[i]
	}
	return &t.more[i-len(t.inline)]
}

func (t *names) push(e entry) {
	if t.n < len(t.inline) {
		t.inline[t.n] = e
	} else {
		t.more = append(t.more[:t.n-len(t.inline)], e)
	}
	t.n++
}

func (t *names) bytes(data []byte, e *entry) []byte {
	if e.kind == inEsc {
		return t.esc[e.off : e.off+e.n]
	}
	return data[e.off : e.off+e.n]
}

func (t *names) open() {
	t.push(entry{at: uint32(t.top), off: uint32(len(t.esc)), kind: mark})
	t.top = t.n
}

// addName records the name of the member at Data[at:], which Str has just
// read, and fails if its object has it already. next says whether Next
// reads it (the error names the member) or Check (the error names field).
func (s *Scanner) addName(at int, key []byte, field string, next bool) bool {
	t := &s.names
	if t.top == 0 {
		return true // no object opened by this scanner: nothing to compare with
	}
	count := t.n - t.top
	if count >= linearNames-1 || t.n >= len(t.inline) || s.Pos-at-2 != len(key) {
		return s.addNameSlow(at, key, field, next)
	}
	// A name without escapes, of an object with few names, in the scanner.
	for i := t.top; i < t.n; i++ {
		if e := &t.inline[i]; int(e.n) == len(key) && string(t.bytes(s.Data, e)) == string(key) {
			return s.duplicate(field, key, at, next)
		}
	}
	t.inline[t.n] = entry{at: uint32(at), off: uint32(at + 1), n: uint32(len(key))}
	t.n++
	return true
}

func (s *Scanner) addNameSlow(at int, key []byte, field string, next bool) bool {
	t := &s.names
	count := t.n - t.top
	if count < linearNames {
		for i := t.top; i < t.n; i++ {
			if e := t.get(i); int(e.n) == len(key) && string(t.bytes(s.Data, e)) == string(key) {
				return s.duplicate(field, key, at, next)
			}
		}
	}
	e := entry{at: uint32(at), off: uint32(at + 1), n: uint32(len(key))}
	if s.Pos-at-2 != len(key) { // escapes were undone: keep the bytes
		e.off, e.kind = uint32(len(t.esc)), inEsc
		t.esc = append(t.esc, key...)
	}
	m := t.get(t.top - 1)
	if m.n == 0 {
		t.push(e)
		if count+1 == linearNames { // many names now: the object gets a set
			if t.big == len(t.sets) {
				t.sets = append(t.sets, nil)
			}
			t.big++
			m = t.get(t.top - 1) // push may have moved it
			m.n = uint32(t.big)
			t.sets[t.big-1] = t.rehash(s.Data, t.sets[t.big-1], 4*linearNames)
		}
		return true
	}
	set := t.sets[m.n-1]
	if 2*(count+1) > len(set) {
		set = t.rehash(s.Data, set, 2*len(set))
		t.sets[m.n-1] = set
	}
	t.push(e)
	if !t.insert(s.Data, set, t.n-1) {
		return s.duplicate(field, key, at, next)
	}
	return true
}

// rehash puts the names of the innermost object into a set of size
// entries (a power of two), reusing set's memory.
func (t *names) rehash(data []byte, set []uint32, size int) []uint32 {
	if cap(set) < size {
		set = make([]uint32, size)
	}
	set = set[:size]
	clear(set)
	for i := t.top; i < t.n; i++ {
		t.insert(data, set, i)
	}
	return set
}

// insert adds entry i to a set, unless the set has its name.
func (t *names) insert(data []byte, set []uint32, i int) bool {
	name := t.bytes(data, t.get(i))
	h := uint32(2166136261) // FNV-1a
	for _, c := range name {
		h = (h ^ uint32(c)) * 16777619
	}
	for mask := uint32(len(set) - 1); ; h++ {
		j := set[h&mask]
		if j == 0 {
			set[h&mask] = uint32(i + 1)
			return true
		}
		if bytes.Equal(t.bytes(data, t.get(int(j-1))), name) {
			return false
		}
	}
}

// closeNames forgets the names of the innermost open object.
func (s *Scanner) closeNames() {
	t := &s.names
	if t.top == 0 {
		return
	}
	m := t.get(t.top - 1)
	if m.n != 0 {
		t.big--
	}
	t.n, t.top = t.top-1, int(m.at)
	t.esc = t.esc[:m.off]
}

func (s *Scanner) duplicate(field string, key []byte, at int, next bool) bool {
	msg := "duplicate name " + strconv.Quote(string(key))
	if field != "" {
		msg += " in " + field
	}
	msg += " at byte " + strconv.Itoa(at)
	if next {
		if field != "" {
			field += "."
		}
		field += string(key)
	}
	return s.Fail(errcode.DuplicateField, field, msg)
}
