package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Canonical JSON (RFC 8785, the JSON Canonicalization Scheme): the one byte
// sequence a JSON value hashes and signs as. Object members sorted by the
// UTF-16 code units of their names, no whitespace, strings with the fewest
// escapes, numbers as ECMAScript writes a double. Receipts, checkpoints,
// anchors and export manifests are hashed and signed in this form, so that
// any implementation that follows RFC 8785 reproduces their hashes.

// Canonical returns the canonical JSON (RFC 8785) of v. A []byte or
// json.RawMessage is read as JSON text, strictly: one value, UTF-8 only,
// no lone surrogate escape, no name given twice in an object, no number
// beyond a double's range. Any other value is first encoded with
// encoding/json (a Receipt or Checkpoint encodes itself canonically
// already).
func Canonical(v any) ([]byte, error) {
	var data []byte
	switch x := v.(type) {
	case []byte:
		data = x
	case json.RawMessage:
		data = x
	default:
		var err error
		if data, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	val, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	return appendCanonical(make([]byte, 0, len(data)), val)
}

// SyntaxError is JSON text that Canonical or Parse cannot read: malformed,
// or outside I-JSON (RFC 7493), which RFC 8785 requires.
type SyntaxError struct {
	Offset int // byte offset in the input
	Msg    string
}

func (e *SyntaxError) Error() string {
	return "byte " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// value is a parsed JSON value.
type value struct {
	kind    byte    // '{', '[', '"', '0' (number), 't', 'f', 'n'
	str     string  // a string's value, or a number's literal
	num     float64 // a number's value
	members []member
	elems   []value
	off     int // where the value starts in the input
}

type member struct {
	name string
	off  int // where the name starts in the input
	val  value
}

// maxDepth bounds the nesting of arrays and objects.
const maxDepth = 256

type parser struct {
	data  []byte
	pos   int
	depth int
	// Members and elements of the objects and arrays being read, on a
	// stack: each is copied out, at its exact size, when it closes.
	members []member
	elems   []value
}

func (p *parser) fail(off int, format string, args ...any) error {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// parseJSON reads one JSON value that fills data (whitespace aside).
func parseJSON(data []byte) (value, error) {
	return (&parser{}).parse(data)
}

// parse reads one JSON value that fills data, reusing the parser's
// scratch space.
func (p *parser) parse(data []byte) (value, error) {
	p.data, p.pos, p.depth = data, 0, 0
	p.space()
	v, err := p.value()
	if err != nil {
		return value{}, err
	}
	p.space()
	if p.pos < len(p.data) {
		return value{}, p.fail(p.pos, "data after the JSON value")
	}
	return v, nil
}

func (p *parser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value() (value, error) {
	if p.pos >= len(p.data) {
		return value{}, p.fail(p.pos, "unexpected end of the input")
	}
	start := p.pos
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.string()
		return value{kind: '"', str: s, off: start}, err
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true", 't')
	case c == 'f':
		return p.literal("false", 'f')
	case c == 'n':
		return p.literal("null", 'n')
	default:
		return value{}, p.fail(p.pos, "unexpected %s", describeByte(p.data, p.pos))
	}
}

func describeByte(data []byte, pos int) string {
	r, _ := utf8.DecodeRune(data[pos:])
	if r == utf8.RuneError {
		return fmt.Sprintf("byte 0x%02x", data[pos])
	}
	return strconv.QuoteRune(r)
}

func (p *parser) literal(word string, kind byte) (value, error) {
	start := p.pos
	if !bytes.HasPrefix(p.data[p.pos:], []byte(word)) {
		return value{}, p.fail(p.pos, "unexpected %s", describeByte(p.data, p.pos))
	}
	p.pos += len(word)
	return value{kind: kind, off: start}, nil
}

func (p *parser) object() (value, error) {
	start := p.pos
	if p.depth++; p.depth > maxDepth {
		return value{}, p.fail(p.pos, "nested more than %d deep", maxDepth)
	}
	defer func() { p.depth-- }()
	p.pos++ // {
	v := value{kind: '{', off: start}
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	mark := len(p.members)
	defer func() { p.members = p.members[:mark] }()
	var seen map[string]bool
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return value{}, p.expected("a member name in quotes")
		}
		nameOff := p.pos
		name, err := p.string()
		if err != nil {
			return value{}, err
		}
		own := p.members[mark:]
		if len(own) >= 32 && seen == nil {
			seen = make(map[string]bool, 64)
			for _, m := range own {
				seen[m.name] = true
			}
		}
		dup := false
		if seen != nil {
			dup = seen[name]
			seen[name] = true
		} else {
			for i := range own {
				if own[i].name == name {
					dup = true
					break
				}
			}
		}
		if dup {
			return value{}, p.fail(nameOff, "member %s is given twice", strconv.Quote(name))
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return value{}, p.expected("':' after the member name")
		}
		p.pos++
		p.space()
		val, err := p.value()
		if err != nil {
			return value{}, err
		}
		p.members = append(p.members, member{name: name, off: nameOff, val: val})
		p.space()
		if p.pos >= len(p.data) {
			return value{}, p.fail(p.pos, "unexpected end of the input in an object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			v.members = slices.Clone(p.members[mark:])
			return v, nil
		default:
			return value{}, p.expected("',' or '}' in an object")
		}
	}
}

func (p *parser) expected(what string) error {
	if p.pos >= len(p.data) {
		return p.fail(p.pos, "unexpected end of the input: expected %s", what)
	}
	return p.fail(p.pos, "expected %s, found %s", what, describeByte(p.data, p.pos))
}

func (p *parser) array() (value, error) {
	start := p.pos
	if p.depth++; p.depth > maxDepth {
		return value{}, p.fail(p.pos, "nested more than %d deep", maxDepth)
	}
	defer func() { p.depth-- }()
	p.pos++ // [
	v := value{kind: '[', off: start}
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	mark := len(p.elems)
	defer func() { p.elems = p.elems[:mark] }()
	for {
		p.space()
		el, err := p.value()
		if err != nil {
			return value{}, err
		}
		p.elems = append(p.elems, el)
		p.space()
		if p.pos >= len(p.data) {
			return value{}, p.fail(p.pos, "unexpected end of the input in an array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			v.elems = slices.Clone(p.elems[mark:])
			return v, nil
		default:
			return value{}, p.expected("',' or ']' in an array")
		}
	}
}

// string reads a string at p.pos (its opening quote) and returns its
// value. Invalid UTF-8 and escapes of lone surrogates are errors: I-JSON
// strings are Unicode.
func (p *parser) string() (string, error) {
	start := p.pos
	p.pos++
	// Fast path: no escape.
	i := p.pos
	for i < len(p.data) {
		c := p.data[i]
		if c == '"' {
			s := p.data[p.pos:i]
			if !utf8.Valid(s) {
				return "", p.fail(p.pos+invalidAt(s), "a string is not valid UTF-8")
			}
			p.pos = i + 1
			return string(s), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		i++
	}
	var b strings.Builder
	for {
		if p.pos >= len(p.data) {
			return "", p.fail(start, "a string is not closed")
		}
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c < 0x20:
			return "", p.fail(p.pos, "a control character (U+%04X) in a string must be escaped", c)
		case c == '\\':
			r, err := p.escape()
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			p.pos++
		default:
			r, n := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && n <= 1 {
				return "", p.fail(p.pos, "a string is not valid UTF-8")
			}
			b.WriteString(string(p.data[p.pos : p.pos+n]))
			p.pos += n
		}
	}
}

func invalidAt(s []byte) int {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return 0
}

// escape reads one escape sequence at p.pos (its backslash).
func (p *parser) escape() (rune, error) {
	start := p.pos
	if p.pos+1 >= len(p.data) {
		return 0, p.fail(start, "a string is not closed")
	}
	c := p.data[p.pos+1]
	p.pos += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		r, ok := p.hex4()
		if !ok {
			return 0, p.fail(start, "\\u needs four hex digits")
		}
		if !utf16.IsSurrogate(r) {
			return r, nil
		}
		if r < 0xDC00 && p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
			save := p.pos
			p.pos += 2
			if lo, ok := p.hex4(); ok && lo >= 0xDC00 && lo <= 0xDFFF {
				return utf16.DecodeRune(r, lo), nil
			}
			p.pos = save
		}
		return 0, p.fail(start, "\\u%04x is a lone surrogate, not a character", r)
	}
	return 0, p.fail(start, "unknown escape \\%s", describeByte(p.data, start+1))
}

func (p *parser) hex4() (rune, bool) {
	if p.pos+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	p.pos += 4
	return r, true
}

// number reads a number as RFC 8259 spells it and parses it as a double.
func (p *parser) number() (value, error) {
	start := p.pos
	i := p.pos
	if p.data[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(p.data) && p.data[i] >= '0' && p.data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(p.data) && p.data[i] == '0':
		i++
	case digits() == 0:
		p.pos = i
		return value{}, p.expected("a digit")
	}
	if i < len(p.data) && p.data[i] == '.' {
		i++
		if digits() == 0 {
			p.pos = i
			return value{}, p.expected("a digit after '.'")
		}
	}
	if i < len(p.data) && (p.data[i] == 'e' || p.data[i] == 'E') {
		i++
		if i < len(p.data) && (p.data[i] == '+' || p.data[i] == '-') {
			i++
		}
		if digits() == 0 {
			p.pos = i
			return value{}, p.expected("a digit in the exponent")
		}
	}
	lit := string(p.data[start:i])
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) {
		return value{}, p.fail(start, "number %s is beyond the range of a double (I-JSON)", lit)
	}
	p.pos = i
	return value{kind: '0', str: lit, num: f, off: start}, nil
}

// appendCanonical appends v in canonical form.
func appendCanonical(b []byte, v value) ([]byte, error) {
	switch v.kind {
	case '{':
		ms := slices.Clone(v.members)
		slices.SortFunc(ms, func(x, y member) int { return compareUTF16(x.name, y.name) })
		b = append(b, '{')
		for i, m := range ms {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m.name)
			b = append(b, ':')
			var err error
			if b, err = appendCanonical(b, m.val); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case '[':
		b = append(b, '[')
		for i, el := range v.elems {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendCanonical(b, el); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case '"':
		return appendString(b, v.str), nil
	case '0':
		return appendNumber(b, v.num)
	case 't':
		return append(b, "true"...), nil
	case 'f':
		return append(b, "false"...), nil
	case 'n':
		return append(b, "null"...), nil
	}
	return nil, errors.New("ledger: no such JSON value")
}

// compareUTF16 orders strings by their UTF-16 code units, as RFC 8785
// sorts member names. It differs from byte order only where a character
// beyond U+FFFF (a surrogate pair, 0xD800...) meets one from U+E000 to
// U+FFFF.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ha, la := utf16Units(ra)
			hb, lb := utf16Units(rb)
			if ha != hb {
				return int(ha) - int(hb)
			}
			return int(la) - int(lb)
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

// utf16Units returns r's first UTF-16 code unit and its second (0 for a
// character of one unit).
func utf16Units(r rune) (rune, rune) {
	if r < 0x10000 {
		return r, 0
	}
	return utf16.EncodeRune(r)
}

// appendString appends s as a JSON string as RFC 8785 writes it: the two
// characters that must be escaped and the control characters escaped,
// with the short forms where JSON has them, everything else as it is.
func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendNumber appends f as ECMAScript's Number.prototype.toString writes
// it (RFC 8785, section 3.2.2.3): the shortest decimal that reads back as
// f, in plain notation from 1e-6 up to below 1e21, else in exponent form.
func appendNumber(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errors.New("ledger: NaN and infinities have no JSON form")
	}
	if f == 0 { // -0 too
		return append(b, '0'), nil
	}
	if f < 0 {
		b = append(b, '-')
		f = -f
	}
	// The shortest round-tripping digits and the exponent: d.ddde±x.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	k := len(digits) // digits in s
	n := x + 1       // f = 0.digits * 10^n
	switch {
	case k <= n && n <= 21:
		b = append(b, digits...)
		for range n - k {
			b = append(b, '0')
		}
	case 0 < n && n <= 21:
		b = append(b, digits[:n]...)
		b = append(b, '.')
		b = append(b, digits[n:]...)
	case -6 < n && n <= 0:
		b = append(b, '0', '.')
		for range -n {
			b = append(b, '0')
		}
		b = append(b, digits...)
	default:
		b = append(b, digits[0])
		if k > 1 {
			b = append(b, '.')
			b = append(b, digits[1:]...)
		}
		b = append(b, 'e')
		if n-1 >= 0 {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, int64(n-1), 10)
	}
	return b, nil
}
