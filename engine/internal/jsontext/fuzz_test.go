//go:build !jsontext_reference

package jsontext

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	ref "github.com/go-json-experiment/json/jsontext"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

// FuzzScanner holds the scanner to two references on any input:
//
//   - github.com/go-json-experiment/json/jsontext (the coming
//     encoding/json/jsontext) for the verdict: Validate and the reading
//     methods (readAny) accept exactly what it accepts with its default
//     options (RFC 7493: no repeated name, UTF-8 only, one value and
//     nothing after it), and Skip exactly what it accepts when it allows
//     repeated names and invalid UTF-8 (the grammar alone);
//   - encoding/json for the values: what readAny reads is what
//     json.Unmarshal gives an any, and Int what it gives an int64.
//
// The one difference allowed is written down in the package's doc: below
// 64 levels of nesting the scanner gives up (the reference at 10,000).
// The seeds are testdata/fuzz/FuzzScanner; go test runs them.
func FuzzScanner(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		strict := ref.Value(data).IsValid()
		lenient, depth := refLenient(data)
		if strict && !lenient {
			t.Fatalf("the reference accepts %q strictly but not leniently", data)
		}
		tooDeep := depth > maxDepth

		// Validate (Check and End): the strict verdict.
		err := Validate(data)
		checkError(t, data, err, nil)
		verdict(t, "Validate", data, err, strict, tooDeep)

		// Skip and End: the lenient verdict.
		s := New(data)
		if s.Skip("") {
			s.End()
		}
		checkError(t, data, s.Err, &s)
		verdict(t, "Skip", data, s.Err, lenient, tooDeep)

		// The reading methods: the strict verdict, and encoding/json's
		// values.
		s = New(data)
		got, ok := readAny(&s, "", 0)
		ok = ok && s.End()
		checkError(t, data, s.Err, &s)
		var want any
		jsonErr := json.Unmarshal(data, &want)
		switch {
		case ok && !strict:
			t.Fatalf("the reading methods accept %q, which the reference rejects", data)
		case ok && jsonErr != nil:
			t.Fatalf("the reading methods accept %q, which encoding/json rejects: %v", data, jsonErr)
		case ok && !reflect.DeepEqual(got, want):
			t.Fatalf("%q reads as %#v; encoding/json reads %#v", data, got, want)
		case !ok && strict && !tooDeep && !isRange(s.Err):
			t.Fatalf("the reading methods reject %q, which the reference accepts: %v", data, s.Err)
		}

		// Int: what encoding/json gives an int64, for numbers.
		if c := firstByte(data); c == '-' || (c >= '0' && c <= '9') {
			s = New(data)
			n, ok := s.Int("")
			ok = ok && s.End()
			checkError(t, data, s.Err, &s)
			var want int64
			jsonErr := json.Unmarshal(data, &want)
			if ok != (jsonErr == nil) || (ok && n != want) {
				t.Fatalf("Int(%q) = %d, %v; encoding/json: %d, %v", data, n, s.Err, want, jsonErr)
			}
		}
	})
}

// verdict compares an error with the reference's verdict.
func verdict(t *testing.T, what string, data []byte, err *errcode.Error, accept, tooDeep bool) {
	t.Helper()
	switch {
	case tooDeep && err == nil:
		t.Fatalf("%s accepts %q, nested deeper than %d", what, data, maxDepth)
	case tooDeep && accept && err.Message != "nesting deeper than 64":
		t.Fatalf("%s rejects %q, which is only too deep: %v", what, data, err)
	case !tooDeep && (err == nil) != accept:
		t.Fatalf("%s: %q gets %v; the reference accepts it: %v", what, data, err, accept)
	}
}

// checkError checks an error's form: one of the scanner's codes, a
// message, and the scanner within its data.
func checkError(t *testing.T, data []byte, err *errcode.Error, s *Scanner) {
	t.Helper()
	if s != nil && (s.Pos < 0 || s.Pos > len(data)) {
		t.Fatalf("%q: the scanner stands at %d of %d bytes", data, s.Pos, len(data))
	}
	if err == nil {
		return
	}
	switch err.Code {
	case errcode.BadJSON, errcode.BadType, errcode.BadUTF8, errcode.DuplicateField:
	default:
		t.Fatalf("%q: unknown code %v", data, err)
	}
	if err.Message == "" {
		t.Fatalf("%q: %s without a message", data, err.Code)
	}
}

// refLenient reads data with the reference allowing repeated names and
// invalid UTF-8, and returns whether it is one value and how deep it
// nests.
func refLenient(data []byte) (ok bool, depth int) {
	opts := []ref.Options{ref.AllowDuplicateNames(true), ref.AllowInvalidUTF8(true)}
	if !ref.Value(data).IsValid(opts...) {
		return false, 0
	}
	d := ref.NewDecoder(bytes.NewReader(data), opts...)
	for {
		if _, err := d.ReadToken(); err != nil {
			return true, depth
		}
		depth = max(depth, d.StackDepth())
	}
}

func firstByte(data []byte) byte {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 {
		return 0
	}
	return data[0]
}

// isRange: a number that encoding/json cannot hold in a float64 either.
func isRange(err *errcode.Error) bool {
	return err != nil && err.Code == errcode.BadType && strings.Contains(err.Message, "out of range")
}

// readAny reads one value with the reading methods (Object, Next, Array,
// More, Str, Bool, Null; numbers by their grammar) into what
// encoding/json gives an any: map[string]any, []any, string, float64,
// bool or nil. It nests as deep as Skip does.
func readAny(s *Scanner, field string, depth int) (any, bool) {
	switch c := s.Peek(); {
	case c == '{' || c == '[':
		if depth == maxDepth {
			return nil, s.Fail(errcode.BadJSON, field, "nesting deeper than "+strconv.Itoa(maxDepth))
		}
		first := true
		if c == '[' {
			out := []any{}
			s.Array(field)
			for s.More(&first, field) {
				v, ok := readAny(s, field, depth+1)
				if !ok {
					return nil, false
				}
				out = append(out, v)
			}
			return out, s.Err == nil
		}
		out := map[string]any{}
		if !s.Object(field) {
			return nil, false
		}
		for {
			k, ok := s.Next(&first, field)
			if !ok {
				break
			}
			v, ok := readAny(s, field, depth+1)
			if !ok {
				return nil, false
			}
			out[string(k)] = v
		}
		return out, s.Err == nil
	case c == '"':
		v, ok := s.Str(field)
		return string(v), ok
	case c == 't' || c == 'f':
		return s.Bool(field)
	case c == 'n':
		if s.Null() {
			return nil, true
		}
		return nil, s.syntax(field)
	case c == '-' || (c >= '0' && c <= '9'):
		start := s.Pos
		if !s.number() {
			return nil, s.syntax(field)
		}
		n, err := strconv.ParseFloat(string(s.Data[start:s.Pos]), 64)
		if err != nil {
			return nil, s.Fail(errcode.BadType, field, "number out of range")
		}
		return n, true
	}
	return nil, s.syntax(field)
}
