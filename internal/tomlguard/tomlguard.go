// Package tomlguard refuses TOML files that would stall the decoder,
// before the decoder sees them.
//
// BurntSushi/toml's cost grows faster than its input on some shapes: a
// 32 KB file of inline tables nested 8,000 deep takes seconds and
// gigabytes, and a table header of 100,000 dotted parts runs out of
// memory. The policy compiler, the locale files and the simulator's
// journeys all go through that decoder, so each of them calls Check first:
// one pass over the raw bytes, in time linear in their length, that
// enforces limits far above any real file and far below what hurts, and
// reports the first one broken at its file:line:col.
//
// Check understands as much TOML as counting needs: comments, the four
// kinds of strings (basic with escapes, literal, and their multi-line
// forms), keys (bare, quoted, dotted), table headers, arrays and inline
// tables. It does not validate TOML: that is the decoder's job, and on
// input it does not understand Check keeps counting brackets and dots
// outside strings and comments, so that no shape hides from it.
package tomlguard

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

// The limits, far above any real file: the project's largest is 42 KB,
// its deepest value nests 2 levels, its longest key has 3 parts and a few
// dozen bytes, and no file has 20 inline tables (TestRealFiles holds them).
const (
	MaxSize     = 1 << 20 // bytes in a file
	MaxDepth    = 32      // arrays and inline tables open at once
	MaxKeyParts = 64      // parts of one dotted key, in a key = value or a [table] header
	MaxKeyBytes = 1024    // bytes of one key as written, all its parts and dots
	// MaxInlineTables bounds the inline tables of a file: the decoder
	// spends about 2 KB and several microseconds on each, more the deeper
	// it is (a megabyte of them nested 32 deep: seconds and 540 MB).
	MaxInlineTables = 4096
)

// The codes of the errors Check returns. The first two mean what they
// mean in the engine's requests (engine/CONTRACT.md).
const (
	TooLarge = errcode.TooLarge // the file is over MaxSize bytes
	BadUTF8  = errcode.BadUTF8  // the file is not UTF-8
	// TooDeep: arrays and inline tables nested more than MaxDepth deep.
	TooDeep errcode.Code = "too_deep"
	// TooLong: a key of more than MaxKeyParts parts or MaxKeyBytes bytes.
	TooLong errcode.Code = "too_long"
	// TooMany: more than MaxInlineTables inline tables in a file.
	TooMany errcode.Code = "too_many"
)

// ReadFile reads a file for Check, but no more than MaxSize+1 bytes of
// it: a larger file is refused there, with its size.
func ReadFile(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		size := int64(len(data))
		if info, err := f.Stat(); err == nil && info.Size() > size {
			size = info.Size()
		}
		return nil, tooLarge(file, data, size)
	}
	return data, nil
}

// Check returns the first limit data breaks, with the file:line:col where
// it is broken, or nil. Columns count characters, as errcode.Pos does.
func Check(file string, data []byte) *errcode.Error {
	if len(data) > MaxSize {
		return tooLarge(file, data, int64(len(data)))
	}
	if !utf8.Valid(data) {
		off := firstInvalid(data)
		return &errcode.Error{Pos: position(file, data, off), Code: BadUTF8,
			Message: fmt.Sprintf("invalid UTF-8 at byte offset %d (byte 0x%02x): a TOML file is UTF-8", off, data[off])}
	}
	s := scanner{file: file, data: data}
	return s.document()
}

func tooLarge(file string, data []byte, size int64) *errcode.Error {
	return &errcode.Error{Pos: position(file, data, MaxSize), Code: TooLarge,
		Message: fmt.Sprintf("the file is %d bytes, over the limit of %d (1 MiB)", size, MaxSize)}
}

// firstInvalid returns the offset of the first byte of data that does not
// start a valid UTF-8 sequence.
func firstInvalid(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// position turns a byte offset into a line and a column in characters; an
// invalid byte counts as one character.
func position(file string, data []byte, off int) errcode.Pos {
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	line := bytes.Count(data[:start], []byte{'\n'}) + 1
	return errcode.Pos{File: file, Line: line, Col: utf8.RuneCount(data[start:off]) + 1}
}

// scanner walks a document once. Every step consumes at least one byte.
type scanner struct {
	file   string
	data   []byte
	i      int
	stack  []byte // the open arrays ('[') and inline tables ('{') of a value
	tables int    // the inline tables so far
}

func (s *scanner) more() bool { return s.i < len(s.data) }
func (s *scanner) peek() byte { return s.data[s.i] }

// document scans the top level: a line at a time, a comment, a table
// header, or a key = value.
func (s *scanner) document() *errcode.Error {
	for s.more() {
		s.skipBlank()
		if !s.more() {
			break
		}
		switch s.peek() {
		case '\n', '\r':
			s.i++
		case '#':
			s.skipComment()
		case '[':
			start := s.i
			s.i++
			if s.more() && s.peek() == '[' {
				s.i++
			}
			if err := s.key(start); err != nil {
				return err
			}
			s.skipBlank()
			// The closing ] or ]]: anything else is the decoder's to
			// report, and the loop carries on from it.
			for n := 0; n < 2 && s.more() && s.peek() == ']'; n++ {
				s.i++
			}
		default:
			start := s.i
			if err := s.key(start); err != nil {
				return err
			}
			s.skipBlank()
			switch {
			case s.more() && s.peek() == '=': // "= value" without a key too
				s.i++
				if err := s.value(); err != nil {
					return err
				}
			case s.i == start: // not a key: skip the byte
				s.i++
			}
		}
	}
	return nil
}

// key scans a key (bare, quoted or dotted) from the current byte, and
// checks its parts and length. start is where the error points: the key,
// or the [ of its header.
func (s *scanner) key(start int) *errcode.Error {
	s.skipBlank()
	from, end, parts := s.i, s.i, 0
	for s.more() {
		switch c := s.peek(); {
		case c == '"':
			s.skipBasic()
		case c == '\'':
			s.skipLiteral()
		case isBare(c):
			for s.more() && isBare(s.peek()) {
				s.i++
			}
		default:
			return s.keyLimits(start, end-from, parts)
		}
		parts++
		end = s.i
		s.skipBlank()
		if !s.more() || s.peek() != '.' {
			break
		}
		s.i++
		s.skipBlank()
	}
	return s.keyLimits(start, end-from, parts)
}

// keyLimits checks a key of n bytes (from its first part to the end of
// its last) and parts parts.
func (s *scanner) keyLimits(start, n, parts int) *errcode.Error {
	if parts > MaxKeyParts {
		return s.errorAt(start, TooLong, "a dotted key of %d parts; the limit is %d", parts, MaxKeyParts)
	}
	if n > MaxKeyBytes {
		return s.errorAt(start, TooLong, "a key of %d bytes; the limit is %d", n, MaxKeyBytes)
	}
	return nil
}

// isBare reports whether c may be part of a bare key. Bytes over 0x7f
// count too: whatever the decoder makes of them, they are not brackets,
// quotes or dots.
func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c >= 0x80
}

// What value expects next.
const (
	wantValue = iota // a value, or the ] or } that closes an empty one
	wantKey          // a key of an inline table, or its }
	wantSep          // a , or a closing bracket
)

// value scans a value after its =, to its end: a scalar, a string, or an
// array or inline table with everything inside. The first bracket over
// MaxDepth is where the error points; the scan goes on to the end of the
// value to say how deep it goes.
func (s *scanner) value() *errcode.Error {
	want, deepest, over := wantValue, 0, -1
	for {
		s.skipSpace(len(s.stack) > 0)
		if !s.more() || len(s.stack) == 0 && want == wantSep {
			break
		}
		c := s.peek()
		switch want {
		case wantKey:
			if c == '}' {
				s.close()
				want = wantSep
				continue
			}
			start := s.i
			if err := s.key(start); err != nil {
				return err
			}
			s.skipBlank()
			if s.more() && s.peek() == '=' {
				s.i++
			}
			want = wantValue
		case wantValue:
			switch c {
			case '[', '{':
				s.stack = append(s.stack, c)
				s.i++
				if len(s.stack) > deepest {
					deepest = len(s.stack)
				}
				if len(s.stack) > MaxDepth && over < 0 {
					over = s.i - 1
				}
				if c == '{' {
					want = wantKey
					// (Past MaxDepth, the depth is the error to report.)
					if s.tables++; s.tables > MaxInlineTables && over < 0 {
						return s.errorAt(s.i-1, TooMany, "more than %d inline tables in the file", MaxInlineTables)
					}
				}
			case ']', '}':
				s.close()
				want = wantSep
			case ',':
				s.i++ // [1,,2]: the decoder's to report
			case '"':
				s.skipBasic()
				want = wantSep
			case '\'':
				s.skipLiteral()
				want = wantSep
			default:
				s.skipScalar()
				want = wantSep
			}
		case wantSep:
			switch c {
			case ',':
				s.i++
				want = wantValue
				if s.stack[len(s.stack)-1] == '{' {
					want = wantKey
				}
			case ']', '}':
				s.close()
			default:
				want = wantValue // [1 2]: the decoder's to report
			}
		}
	}
	if over >= 0 {
		return s.errorAt(over, TooDeep, "arrays and inline tables nested %d deep; the limit is %d", deepest, MaxDepth)
	}
	return nil
}

// close consumes a ] or } and closes the innermost open bracket.
func (s *scanner) close() {
	s.i++
	if len(s.stack) > 0 {
		s.stack = s.stack[:len(s.stack)-1]
	}
}

// skipScalar consumes a number, boolean or date: up to the next
// whitespace, separator, bracket or comment (a date's space between day
// and time ends it early, and the time is read as another scalar).
func (s *scanner) skipScalar() {
	from := s.i
	for s.more() {
		switch s.peek() {
		case ' ', '\t', '\n', '\r', ',', '[', ']', '{', '}', '#', '"', '\'':
			if s.i == from {
				s.i++ // a byte that starts nothing: skip it
			}
			return
		}
		s.i++
	}
}

// skipBasic consumes a basic string, "..." or """...""", with its escapes.
// A single-line string ends at the end of its line if it is not closed.
func (s *scanner) skipBasic() {
	if bytes.HasPrefix(s.data[s.i:], []byte(`"""`)) {
		s.i += 3
		for s.more() {
			switch s.peek() {
			case '\\':
				s.i += 2
			case '"':
				if bytes.HasPrefix(s.data[s.i:], []byte(`"""`)) {
					s.closeQuotes('"')
					return
				}
				s.i++
			default:
				s.i++
			}
		}
		s.i = min(s.i, len(s.data))
		return
	}
	s.i++
	for s.more() {
		switch s.peek() {
		case '\\':
			if s.i+1 < len(s.data) && s.data[s.i+1] != '\n' {
				s.i += 2
				continue
			}
			s.i++
		case '"':
			s.i++
			return
		case '\n':
			return
		default:
			s.i++
		}
	}
}

// skipLiteral consumes a literal string, in single quotes or in three of
// them for a multi-line one, which has no escapes. A single-line string
// ends at the end of its line if it is not closed.
func (s *scanner) skipLiteral() {
	if bytes.HasPrefix(s.data[s.i:], []byte(`'''`)) {
		s.i += 3
		end := bytes.Index(s.data[s.i:], []byte(`'''`))
		if end < 0 {
			s.i = len(s.data)
			return
		}
		s.i += end
		s.closeQuotes('\'')
		return
	}
	s.i++
	for s.more() {
		switch s.peek() {
		case '\'':
			s.i++
			return
		case '\n':
			return
		}
		s.i++
	}
}

// closeQuotes consumes the three quotes that close a multi-line string
// and up to two more: a string may end with one or two quotes of its own
// ("""a "quote""""").
func (s *scanner) closeQuotes(q byte) {
	for n := 0; n < 5 && s.more() && s.peek() == q; n++ {
		s.i++
	}
}

// skipBlank consumes spaces and tabs.
func (s *scanner) skipBlank() {
	for s.more() && (s.peek() == ' ' || s.peek() == '\t') {
		s.i++
	}
}

// skipSpace consumes spaces and tabs, and inside brackets also line ends
// and comments.
func (s *scanner) skipSpace(inside bool) {
	for s.more() {
		switch s.peek() {
		case ' ', '\t':
			s.i++
		case '\n', '\r':
			if !inside {
				return
			}
			s.i++
		case '#':
			if !inside {
				return
			}
			s.skipComment()
		default:
			return
		}
	}
}

// skipComment consumes a comment up to its line end.
func (s *scanner) skipComment() {
	if end := bytes.IndexByte(s.data[s.i:], '\n'); end >= 0 {
		s.i += end
		return
	}
	s.i = len(s.data)
}

func (s *scanner) errorAt(off int, code errcode.Code, format string, args ...any) *errcode.Error {
	return &errcode.Error{Pos: position(s.file, s.data, off), Code: code, Message: fmt.Sprintf(format, args...)}
}
