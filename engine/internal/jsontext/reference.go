//go:build jsontext_reference

// This file is the Scanner's API on top of
// github.com/go-json-experiment/json/jsontext, built instead of
// jsontext.go with -tags jsontext_reference, so that the engine and the
// bundle reader run unchanged on the reference tokenizer and the two can
// be measured side by side in the module (RATIONALE.md, "Why do we keep
// the hand-written JSON scanner?"). It is faithful where the engine's
// answers to good input depend on it (the conformance transcript is the
// same byte for byte); known differences on bad input: Skip checks as
// strictly as Check (the decoder's options are fixed), there is no depth
// limit but the decoder's own (10,000 levels), and codes and messages
// differ. A Scanner whose caller moves Pos past a value (the request
// reader does, over a state it read with a scanner of its own) skips
// that value again in its decoder. It is kept only to reproduce those
// figures, and to measure again once encoding/json/jsontext is out of
// its experiment: go vet -tags jsontext_reference ./engine/... and
// go test -tags jsontext_reference ./engine -run 'TestConformance$'
// check it.

package jsontext

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"

	ref "github.com/go-json-experiment/json/jsontext"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

// Scanner reads one JSON document with a jsontext.Decoder. Pos is kept
// where the hand-written scanner would stand; a caller that moves Pos
// forward has read over a value itself, which the decoder then skips.
type Scanner struct {
	Data    []byte
	Pos     int
	Err     *errcode.Error
	Checked bool // ignored: the decoder checks every document whole
	r       *reader
}

type reader struct {
	dec    ref.Decoder
	buf    bytes.Buffer
	base   int // offset in Data of the decoder's first byte
	synced int // Pos as the scanner last left it
}

var readers = sync.Pool{New: func() any { return new(reader) }}

// New returns a scanner over data.
func New(data []byte) Scanner { return Scanner{Data: data} }

// Validate reads data as one document with Check and End.
func Validate(data []byte) *errcode.Error {
	s := New(data)
	if s.Check("") {
		s.End()
	}
	return s.Err
}

// Fail records an error, unless one is recorded already, and returns false.
func (s *Scanner) Fail(code errcode.Code, field, msg string) bool {
	if s.Err == nil {
		s.Err = &errcode.Error{Code: code, Field: field, Message: msg}
	}
	return false
}

// start makes the decoder, from Pos, on first use, and skips the value
// that a caller has read over by moving Pos.
func (s *Scanner) start(field string) bool {
	if s.Err != nil {
		return false
	}
	if s.r == nil {
		s.r = readers.Get().(*reader)
		s.r.buf = *bytes.NewBuffer(s.Data[s.Pos:])
		s.r.dec.Reset(&s.r.buf)
		s.r.base, s.r.synced = s.Pos, s.Pos
	}
	if s.Pos == s.r.synced {
		return true
	}
	if err := s.r.dec.SkipValue(); err != nil {
		return s.fail(field, err)
	}
	if s.offset() != s.Pos {
		return s.Fail(errcode.BadJSON, field, "Pos moved to "+strconv.Itoa(s.Pos)+", not past one value")
	}
	s.r.synced = s.Pos
	return true
}

func (s *Scanner) offset() int { return s.r.base + int(s.r.dec.InputOffset()) }

// moved records where the decoder stands as Pos.
func (s *Scanner) moved() {
	s.Pos = s.offset()
	s.r.synced = s.Pos
}

// fail turns the decoder's error into the scanner's.
func (s *Scanner) fail(field string, err error) bool {
	var se *ref.SyntacticError
	at := s.offset()
	if errors.As(err, &se) {
		at = s.r.base + int(se.ByteOffset)
	}
	s.Pos = min(at, len(s.Data))
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return s.Fail(errcode.BadJSON, field, "the JSON ends too early (truncated?)")
	case errors.Is(err, ref.ErrDuplicateName):
		name := ""
		if se != nil {
			_, name = path(string(se.JSONPointer))
		}
		if field != "" {
			field += "."
		}
		return s.Fail(errcode.DuplicateField, field+name, "duplicate name "+strconv.Quote(name)+" at byte "+strconv.Itoa(at))
	case strings.Contains(err.Error(), "invalid UTF-8") || strings.Contains(err.Error(), `\ud`) || strings.Contains(err.Error(), `\uD`):
		return s.Fail(errcode.BadUTF8, field, "invalid UTF-8 at byte "+strconv.Itoa(at))
	}
	return s.Fail(errcode.BadJSON, field, "malformed JSON at byte "+strconv.Itoa(at))
}

func path(pointer string) (parent, name string) {
	i := strings.LastIndexByte(pointer, '/')
	if i < 0 {
		return "", pointer
	}
	return pointer[:i], strings.NewReplacer("~1", "/", "~0", "~").Replace(pointer[i+1:])
}

// peek returns the kind of the next token, failing on a syntax error.
func (s *Scanner) peek(field string) (ref.Kind, bool) {
	if !s.start(field) {
		return 0, false
	}
	k := s.r.dec.PeekKind()
	if k == 0 {
		_, err := s.r.dec.ReadToken()
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return 0, s.fail(field, err)
	}
	return k, true
}

// Peek skips white space (and the colon after a name) and returns the
// next byte, or 0 at the end of the data.
func (s *Scanner) Peek() byte {
	if s.r != nil && s.Pos == s.r.synced {
		i := s.Pos
		for i < len(s.Data) && (s.Data[i] == ' ' || s.Data[i] == '\t' || s.Data[i] == '\n' || s.Data[i] == '\r' || s.Data[i] == ':') {
			i++
		}
		s.Pos, s.r.synced = i, i
	}
	if s.Pos < len(s.Data) {
		return s.Data[s.Pos]
	}
	return 0
}

func kindName(k ref.Kind) string {
	switch k {
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
	}
	return "a number"
}

// WrongType reports that the next value is not of the type want names.
func (s *Scanner) WrongType(field, want string) bool {
	k, ok := s.peek(field)
	if !ok {
		return false
	}
	return s.Fail(errcode.BadType, field, field+" must be "+want+", not "+kindName(k))
}

// Object opens an object; iterate its members with Next.
func (s *Scanner) Object(field string) bool {
	k, ok := s.peek(field)
	if !ok {
		return false
	}
	if k != '{' {
		return s.WrongType(field, "an object")
	}
	if _, err := s.r.dec.ReadToken(); err != nil {
		return s.fail(field, err)
	}
	s.moved()
	return true
}

// Next reads the next member's name of an object opened with Object.
func (s *Scanner) Next(first *bool, field string) ([]byte, bool) {
	k, ok := s.peek(field)
	if !ok {
		return nil, false
	}
	*first = false
	if k == '}' {
		if _, err := s.r.dec.ReadToken(); err != nil {
			return nil, s.fail(field, err)
		}
		s.moved()
		return nil, false
	}
	v, err := s.r.dec.ReadValue()
	if err != nil {
		return nil, s.fail(field, err)
	}
	s.moved()
	s.Peek() // past the colon, where the hand-written scanner stands
	return unquote(v), true
}

// Array opens an array; iterate its elements with More.
func (s *Scanner) Array(field string) bool {
	k, ok := s.peek(field)
	if !ok {
		return false
	}
	if k != '[' {
		return s.WrongType(field, "an array")
	}
	if _, err := s.r.dec.ReadToken(); err != nil {
		return s.fail(field, err)
	}
	s.moved()
	return true
}

// More reports whether another element follows in an open array.
func (s *Scanner) More(first *bool, field string) bool {
	k, ok := s.peek(field)
	if !ok {
		return false
	}
	*first = false
	if k == ']' {
		if _, err := s.r.dec.ReadToken(); err != nil {
			return s.fail(field, err)
		}
		s.moved()
		return false
	}
	return true
}

func unquote(v ref.Value) []byte {
	raw := v[1 : len(v)-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw
	}
	out, _ := ref.AppendUnquote(nil, v)
	return out
}

// read reads the next value if it is of kind want (for t, f too).
func (s *Scanner) read(field string, want ref.Kind, name string) (ref.Value, bool) {
	k, ok := s.peek(field)
	if !ok {
		return nil, false
	}
	if k != want && !(want == 't' && k == 'f') {
		return nil, s.WrongType(field, name)
	}
	v, err := s.r.dec.ReadValue()
	if err != nil {
		return nil, s.fail(field, err)
	}
	s.moved()
	return v, true
}

// Str reads a string value.
func (s *Scanner) Str(field string) ([]byte, bool) {
	v, ok := s.read(field, '"', "a string")
	if !ok {
		return nil, false
	}
	return unquote(v), true
}

// Bool reads true or false.
func (s *Scanner) Bool(field string) (bool, bool) {
	v, ok := s.read(field, 't', "a boolean")
	return ok && v[0] == 't', ok
}

// Null consumes a null if one is next.
func (s *Scanner) Null() bool {
	if s.Err != nil || !s.start("") || s.r.dec.PeekKind() != 'n' {
		return false
	}
	if _, err := s.r.dec.ReadValue(); err != nil {
		return s.fail("", err)
	}
	s.moved()
	return true
}

// Int reads a JSON integer that fits in an int64.
func (s *Scanner) Int(field string) (int64, bool) {
	v, ok := s.read(field, '0', "an integer")
	if !ok {
		return 0, false
	}
	if bytes.ContainsAny(v, ".eE") {
		return 0, s.Fail(errcode.BadType, field, field+" must be an integer")
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0, s.Fail(errcode.BadType, field, field+" must be an integer that fits in 64 bits")
	}
	return n, true
}

// Skip reads over one value (as strictly as Check: see the file's doc).
func (s *Scanner) Skip(field string) bool { return s.Check(field) }

// Check reads over one value, checking it whole.
func (s *Scanner) Check(field string) bool {
	if _, ok := s.peek(field); !ok {
		return false
	}
	if err := s.r.dec.SkipValue(); err != nil {
		return s.fail(field, err)
	}
	s.moved()
	return true
}

// End checks that nothing but white space follows the document, and
// gives the decoder back.
func (s *Scanner) End() bool {
	if !s.start("") {
		return false
	}
	_, err := s.r.dec.ReadToken()
	if err != io.EOF {
		s.Pos = s.offset()
		for s.Pos < len(s.Data) && (s.Data[s.Pos] == ' ' || s.Data[s.Pos] == '\t' || s.Data[s.Pos] == '\n' || s.Data[s.Pos] == '\r') {
			s.Pos++
		}
		return s.Fail(errcode.BadJSON, "", "data after the JSON value at byte "+strconv.Itoa(s.Pos))
	}
	s.r.buf = bytes.Buffer{}
	s.r.dec.Reset(&s.r.buf)
	readers.Put(s.r)
	s.r = nil
	return true
}
