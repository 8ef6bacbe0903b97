//go:build !jsontext_reference

package jsontext

import (
	"strconv"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

// A case reads its input with one method and checks what it returns: the
// value (as a string, "" if none), the error's code and field, a part of
// its message, and where the scanner stands afterwards (-1: not checked).
type result struct {
	val        string
	code       errcode.Code
	field, msg string
	pos        int
}

func check(t *testing.T, name string, s *Scanner, got string, ok bool, want result) {
	t.Helper()
	if ok != (want.code == "") {
		t.Errorf("%s: ok=%v, error %v; want %+v", name, ok, s.Err, want)
		return
	}
	if got != want.val {
		t.Errorf("%s: value %q, want %q", name, got, want.val)
	}
	if want.code != "" {
		if s.Err == nil {
			t.Fatalf("%s: false with no error", name)
		}
		if s.Err.Code != want.code || s.Err.Field != want.field || !strings.Contains(s.Err.Message, want.msg) {
			t.Errorf("%s: error %q %q %q; want %q %q containing %q", name, s.Err.Code, s.Err.Field, s.Err.Message, want.code, want.field, want.msg)
		}
	} else if s.Err != nil {
		t.Errorf("%s: true with error %v", name, s.Err)
	}
	if want.pos >= 0 && s.Pos != want.pos {
		t.Errorf("%s: at byte %d, want %d", name, s.Pos, want.pos)
	}
}

func TestStr(t *testing.T) {
	for _, c := range []struct {
		in string
		result
	}{
		{`"abc"`, result{val: "abc", pos: 5}},
		{` 	"abc" ,`, result{val: "abc", pos: 7}},
		{`""`, result{val: "", pos: 2}},
		{`"中文 ok"`, result{val: "中文 ok", pos: 11}},
		{"\"\x7f\"", result{val: "\x7f", pos: 3}},
		// Every escape.
		{`"\"\\\/\b\f\n\r\t"`, result{val: "\"\\/\b\f\n\r\t", pos: 18}},
		{`"a\u0041\u00e9\u4E2D\u0000z"`, result{val: "aAé中\x00z", pos: 28}},
		{`"\ud83d\ude00"`, result{val: "😀", pos: 14}},
		{`"\uD83D\uDE00!"`, result{val: "😀!", pos: 15}},
		{`"\uffff"`, result{val: "\uffff", pos: 8}},
		// Lone surrogates are not Unicode: bad_utf8.
		{`"\ud800"`, result{code: errcode.BadUTF8, field: "f", msg: "lone UTF-16 surrogate at byte 1", pos: 1}},
		{`"\udc00\ud800"`, result{code: errcode.BadUTF8, field: "f", msg: "lone UTF-16 surrogate", pos: 1}},
		{`"\ud800\u0041"`, result{code: errcode.BadUTF8, field: "f", msg: "lone UTF-16 surrogate", pos: 1}},
		{`"\ud800\ud800"`, result{code: errcode.BadUTF8, field: "f", msg: "lone UTF-16 surrogate", pos: 1}},
		{`"x\ud800"`, result{code: errcode.BadUTF8, field: "f", msg: "at byte 2", pos: 2}},
		{`"\ud800\"`, result{code: errcode.BadUTF8, field: "f", msg: "lone UTF-16 surrogate", pos: 1}},
		{`"\ude00"`, result{code: errcode.BadUTF8, field: "f", msg: "lone UTF-16 surrogate", pos: 1}},
		// Bad escapes and bad bytes.
		{`"\x"`, result{code: errcode.BadJSON, field: "f", msg: "bad escape at byte 1", pos: 1}},
		{`"\u12"`, result{code: errcode.BadJSON, field: "f", msg: `bad \u escape at byte 1`, pos: 1}},
		{`"\u12g4"`, result{code: errcode.BadJSON, field: "f", msg: `bad \u escape`, pos: 1}},
		{`"\`, result{code: errcode.BadJSON, field: "f", msg: "truncated", pos: 2}},
		{`"abc`, result{code: errcode.BadJSON, field: "f", msg: "truncated", pos: 4}},
		{"\"a\x01\"", result{code: errcode.BadJSON, field: "f", msg: "control character in a string at byte 2", pos: 2}},
		{"\"a\nb\"", result{code: errcode.BadJSON, field: "f", msg: "control character", pos: 2}},
		{"\"\\n\x00\"", result{code: errcode.BadJSON, field: "f", msg: "control character", pos: 3}},
		{"\"a\xffb\"", result{code: errcode.BadUTF8, field: "f", msg: "invalid UTF-8 at byte 2", pos: 2}},
		{"\"\\n\xff\"", result{code: errcode.BadUTF8, field: "f", msg: "invalid UTF-8 at byte 3", pos: 3}},
		{"\"\xe4\xb8\"", result{code: errcode.BadUTF8, field: "f", msg: "invalid UTF-8", pos: 1}},
		{"\"\xc0\xaf\"", result{code: errcode.BadUTF8, field: "f", msg: "invalid UTF-8", pos: 1}},     // overlong
		{"\"\xed\xa0\x80\"", result{code: errcode.BadUTF8, field: "f", msg: "invalid UTF-8", pos: 1}}, // an encoded surrogate
		{"\"\xe4\xb8", result{code: errcode.BadUTF8, field: "f", msg: "invalid UTF-8", pos: 1}},
		// Not a string.
		{`abc`, result{code: errcode.BadJSON, field: "f", msg: "malformed JSON at byte 0", pos: 0}},
		{`1`, result{code: errcode.BadType, field: "f", msg: "f must be a string, not a number", pos: 0}},
		{``, result{code: errcode.BadJSON, field: "f", msg: "truncated", pos: 0}},
	} {
		s := New([]byte(c.in))
		v, ok := s.Str("f")
		check(t, c.in, &s, string(v), ok, c.result)
	}
}

// TestStrMemory: a string without escapes is the document's own bytes; one
// with escapes is new memory, which later strings never overwrite.
func TestStrMemory(t *testing.T) {
	data := []byte(`["plain","\u0061b","c\n"]`)
	s := New(data)
	first := true
	var got [][]byte
	s.Array("")
	for s.More(&first, "") {
		v, _ := s.Str("")
		got = append(got, v)
	}
	if s.Err != nil || len(got) != 3 {
		t.Fatalf("%v %q", s.Err, got)
	}
	if &got[0][0] != &data[2] {
		t.Error("a string without escapes was copied")
	}
	if string(got[1]) != "ab" || string(got[2]) != "c\n" {
		t.Errorf("escaped strings read %q and %q: one overwrote the other", got[1], got[2])
	}
	doc := []byte(`{"now":"2026-03-01T10:00:00Z","device":{"platform":"android","version":"33"},"n":-12,"ok":true,"x":null,"a":["中",{"b":[]}],"s":{"v":1}}`)
	if allocs := testing.AllocsPerRun(100, func() {
		s := New(doc)
		first := true
		s.Object("")
		for {
			k, ok := s.Next(&first, "")
			if !ok {
				break
			}
			switch string(k) {
			case "now":
				s.Str("now")
			case "n":
				s.Int("n")
			case "ok":
				s.Bool("ok")
			case "x":
				s.Null()
			case "device":
				dfirst := true
				s.Object("device")
				for {
					if _, ok := s.Next(&dfirst, "device"); !ok {
						break
					}
					s.Str("device")
				}
			default:
				s.Skip(string(k))
			}
		}
		if !s.End() {
			t.Fatal(s.Err)
		}
	}); allocs != 0 {
		t.Errorf("reading a document without escapes allocates %v times", allocs)
	}
}

func TestBool(t *testing.T) {
	for _, c := range []struct {
		in string
		result
	}{
		{`true`, result{val: "true", pos: 4}},
		{` false`, result{val: "false", pos: 6}},
		{`tru`, result{code: errcode.BadJSON, field: "b", msg: "malformed JSON at byte 0", pos: 0}},
		{`True`, result{code: errcode.BadJSON, field: "b", msg: "malformed JSON", pos: 0}},
		{`nul`, result{code: errcode.BadJSON, field: "b", msg: "malformed JSON", pos: 0}},
		{`null`, result{code: errcode.BadType, field: "b", msg: "b must be a boolean, not null", pos: 0}},
		{`"true"`, result{code: errcode.BadType, field: "b", msg: "b must be a boolean, not a string", pos: 0}},
		{`1`, result{code: errcode.BadType, field: "b", msg: "not a number", pos: 0}},
	} {
		s := New([]byte(c.in))
		v, ok := s.Bool("b")
		got := ""
		if ok {
			got = map[bool]string{true: "true", false: "false"}[v]
		}
		check(t, c.in, &s, got, ok, c.result)
	}
}

func TestNull(t *testing.T) {
	for in, want := range map[string]bool{`null`: true, ` null`: true, `nul`: false, `"null"`: false, `Null`: false, ``: false} {
		s := New([]byte(in))
		if got := s.Null(); got != want || s.Err != nil {
			t.Errorf("Null(%q) = %v, error %v; want %v and no error", in, got, s.Err, want)
		}
		if want && s.Pos != len(in) {
			t.Errorf("Null(%q) stops at %d", in, s.Pos)
		}
	}
	// After an error, nothing more is read.
	s := New([]byte(`null`))
	s.Fail(errcode.BadJSON, "", "earlier")
	if s.Null() || s.Pos != 0 {
		t.Error("Null reads on after an error")
	}
}

func TestInt(t *testing.T) {
	for _, c := range []struct {
		in string
		result
	}{
		{`0`, result{val: "0", pos: 1}},
		{`-0`, result{val: "0", pos: 2}},
		{` 42 `, result{val: "42", pos: 3}},
		{`-7,`, result{val: "-7", pos: 2}},
		{`9223372036854775807`, result{val: "9223372036854775807", pos: 19}},
		{`-9223372036854775808`, result{val: "-9223372036854775808", pos: 20}},
		{`9223372036854775808`, result{code: errcode.BadType, field: "i", msg: "i must be an integer that fits in 64 bits", pos: 0}},
		{`-9223372036854775809`, result{code: errcode.BadType, field: "i", msg: "fits in 64 bits", pos: 0}},
		{`1.0`, result{code: errcode.BadType, field: "i", msg: "i must be an integer", pos: 0}},
		{`1e3`, result{code: errcode.BadType, field: "i", msg: "i must be an integer", pos: 0}},
		{`1E+3`, result{code: errcode.BadType, field: "i", msg: "i must be an integer", pos: 0}},
		{`01`, result{val: "0", pos: 1}}, // the 1 is what follows: an error for the caller's next read
		{`-`, result{code: errcode.BadJSON, field: "i", msg: "malformed JSON at byte 0", pos: 0}},
		{`-x`, result{code: errcode.BadJSON, field: "i", msg: "malformed JSON", pos: 0}},
		{`1.`, result{code: errcode.BadJSON, field: "i", msg: "malformed JSON", pos: 0}},
		{`1e`, result{code: errcode.BadJSON, field: "i", msg: "malformed JSON", pos: 0}},
		{`"1"`, result{code: errcode.BadType, field: "i", msg: "i must be an integer, not a string", pos: 0}},
		{`+1`, result{code: errcode.BadJSON, field: "i", msg: "malformed JSON", pos: 0}},
	} {
		s := New([]byte(c.in))
		v, ok := s.Int("i")
		got := ""
		if ok {
			got = itoa(v)
		}
		check(t, c.in, &s, got, ok, c.result)
	}
	// A leading zero is a number on its own, and what follows it is data
	// after the document.
	s := New([]byte(`01`))
	if _, ok := s.Int(""); !ok || s.End() || s.Err.Code != errcode.BadJSON {
		t.Errorf("01 reads as a document: %v", s.Err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestObject reads objects member by member: names, values, separators,
// and names repeated, as they come or once a large object closes.
func TestObject(t *testing.T) {
	many := func(dup string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range 40 {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"k` + itoa(int64(i)) + `":0`)
		}
		return b.String() + dup + "}"
	}
	for _, c := range []struct {
		in string
		result
	}{
		{`{}`, result{val: "", pos: 2}},
		{` { "a" : "1" , "b":"2" } `, result{val: "a=1 b=2", pos: 24}},
		{`{"a":"1","b":{"a":"x"}}`, result{val: "a=1 b={a=x}", pos: 23}},
		{`{"a":{"a":"x"},"b":{"a":"y"}}`, result{val: "a={a=x} b={a=y}", pos: 29}},
		{`{"\u00e9":"1","é\n":"2"}`, result{val: "é=1 é\n=2", pos: 25}},
		{`{"a":"1","a":"2"}`, result{code: errcode.DuplicateField, field: "o.a", msg: `duplicate name "a" in o at byte 9`, pos: 12}},
		{`{"a":"1","\u0061":"2"}`, result{code: errcode.DuplicateField, field: "o.a", msg: `duplicate name "a" in o`, pos: -1}},
		{`{"\u0061":"1","a":"2"}`, result{code: errcode.DuplicateField, field: "o.a", msg: `duplicate name "a" in o`, pos: -1}},
		{`{"a":"1","b":{"c":"1","c":"2"}}`, result{code: errcode.DuplicateField, field: "o.b.c", msg: `duplicate name "c" in o.b at byte 22`, pos: -1}},
		{`{"a":"1","b":{},"b":{}}`, result{code: errcode.DuplicateField, field: "o.b", msg: `duplicate name "b"`, pos: -1}},
		{many(``), result{val: manyWant(40), pos: -1}},
		{many(`,"k39":0`), result{code: errcode.DuplicateField, field: "o.k39", msg: `duplicate name "k39" in o at byte 311`, pos: -1}},
		{many(`,"k0":0,"k3":1`), result{code: errcode.DuplicateField, field: "o.k0", msg: `duplicate name "k0" in o at byte 311`, pos: -1}},
		// Large objects within large objects, each with its own set.
		{many(`,"in":` + many(`,"in":`+many(``)) + `,"k40":0`), result{val: manyWant(40) + " in={" + manyWant(40) + " in={" + manyWant(40) + "}} k40=0", pos: -1}},
		{many(`,"in":` + many(``) + `,"k40":0,"k40":1`), result{code: errcode.DuplicateField, field: "o.k40", msg: `duplicate name "k40" in o at`, pos: -1}},
		{many(`,"in":` + many(`,"k1":2`) + `,"k40":0`), result{code: errcode.DuplicateField, field: "o.in.k1", msg: `duplicate name "k1" in o.in at`, pos: -1}},
		{many(`,"in":{"k1":{}},"k41":0,"k1":1`), result{code: errcode.DuplicateField, field: "o.k1", msg: `duplicate name "k1" in o at`, pos: -1}},
		{`{"a":"1",}`, result{code: errcode.BadJSON, field: "o", msg: "malformed JSON at byte 9", pos: 9}},
		{`{,"a":"1"}`, result{code: errcode.BadJSON, field: "o", msg: "malformed JSON at byte 1", pos: 1}},
		{`{"a" "1"}`, result{code: errcode.BadJSON, field: "o", msg: "malformed JSON at byte 5", pos: 5}},
		{`{"a":"1" "b":"2"}`, result{code: errcode.BadJSON, field: "o", msg: "malformed JSON at byte 9", pos: 9}},
		{`{a:"1"}`, result{code: errcode.BadJSON, field: "o", msg: "malformed JSON at byte 1", pos: 1}},
		{`{"a":"1"`, result{code: errcode.BadJSON, field: "o", msg: "truncated", pos: 8}},
		{"{\"a\":\"1\"\x00}", result{code: errcode.BadJSON, field: "o", msg: "malformed JSON at byte 8", pos: 8}},
		{`{"a\ud800":"1"}`, result{code: errcode.BadUTF8, field: "o", msg: "lone UTF-16 surrogate", pos: -1}},
		{`["a"]`, result{code: errcode.BadType, field: "o", msg: "o must be an object, not an array", pos: 0}},
		{`[}`, result{code: errcode.BadJSON, field: "o", msg: "malformed JSON at byte 1", pos: -1}},
	} {
		s := New([]byte(c.in))
		got, ok := readObject(&s, "o")
		check(t, c.in, &s, got, ok, c.result)
	}
}

func manyWant(n int) string {
	var parts []string
	for i := range n {
		parts = append(parts, "k"+itoa(int64(i))+"=0")
	}
	return strings.Join(parts, " ")
}

// readObject reads an object of strings, numbers and objects as
// "name=value ..." with nested objects in braces.
func readObject(s *Scanner, field string) (string, bool) {
	if !s.Object(field) {
		return "", false
	}
	var parts []string
	first := true
	for {
		k, ok := s.Next(&first, field)
		if !ok {
			break
		}
		path := field + "." + string(k)
		var v string
		switch s.Peek() {
		case '{':
			v, ok = readObject(s, path)
			v = "{" + v + "}"
		case '"':
			var b []byte
			b, ok = s.Str(path)
			v = string(b)
		default:
			var n int64
			n, ok = s.Int(path)
			v = itoa(n)
		}
		if !ok {
			return "", false
		}
		parts = append(parts, string(k)+"="+v)
	}
	if s.Err != nil {
		return "", false
	}
	return strings.Join(parts, " "), true
}

func TestArray(t *testing.T) {
	for _, c := range []struct {
		in string
		result
	}{
		{`[]`, result{val: "", pos: 2}},
		{` [ "a" , "b" ] `, result{val: "a b", pos: 14}},
		{`["a","a"]`, result{val: "a a", pos: 9}},
		{`["a",]`, result{code: errcode.BadJSON, field: "a", msg: "malformed JSON at byte 5", pos: 5}},
		{`[,"a"]`, result{code: errcode.BadJSON, field: "a", msg: "malformed JSON at byte 1", pos: 1}},
		{`["a" "b"]`, result{code: errcode.BadJSON, field: "a", msg: "malformed JSON at byte 5", pos: 5}},
		{`["a"`, result{code: errcode.BadJSON, field: "a", msg: "truncated", pos: 4}},
		{`["a"}`, result{code: errcode.BadJSON, field: "a", msg: "malformed JSON at byte 4", pos: 4}},
		{`{}`, result{code: errcode.BadType, field: "a", msg: "a must be an array, not an object", pos: 0}},
		{`"[]"`, result{code: errcode.BadType, field: "a", msg: "not a string", pos: 0}},
	} {
		s := New([]byte(c.in))
		var parts []string
		ok := s.Array("a")
		first := true
		for ok && s.More(&first, "a") {
			v, _ := s.Str("a")
			parts = append(parts, string(v))
		}
		ok = ok && s.Err == nil
		got := ""
		if ok {
			got = strings.Join(parts, " ")
		}
		check(t, c.in, &s, got, ok, c.result)
	}
}

// TestWrongType: a well-formed value of another type is bad_type, naming
// that type; a malformed one is bad_json, whatever its first byte says.
func TestWrongType(t *testing.T) {
	for _, c := range []struct {
		in string
		result
	}{
		{`{"a":[1,{}]}`, result{code: errcode.BadType, field: "f", msg: "f must be X, not an object", pos: 0}},
		{`[]`, result{code: errcode.BadType, field: "f", msg: "f must be X, not an array", pos: 0}},
		{`"s"`, result{code: errcode.BadType, field: "f", msg: "f must be X, not a string", pos: 0}},
		{`false`, result{code: errcode.BadType, field: "f", msg: "f must be X, not a boolean", pos: 0}},
		{`null`, result{code: errcode.BadType, field: "f", msg: "f must be X, not null", pos: 0}},
		{`-1.5e3`, result{code: errcode.BadType, field: "f", msg: "f must be X, not a number", pos: 0}},
		{`{"a":[1,}`, result{code: errcode.BadJSON, field: "f", msg: "malformed JSON at byte 8", pos: 8}},
		{`[`, result{code: errcode.BadJSON, field: "f", msg: "truncated", pos: 1}},
		{`"s`, result{code: errcode.BadJSON, field: "f", msg: "truncated", pos: 2}},
		{`fals`, result{code: errcode.BadJSON, field: "f", msg: "malformed JSON at byte 0", pos: 0}},
		{`-`, result{code: errcode.BadJSON, field: "f", msg: "malformed JSON at byte 0", pos: 0}},
		{`x`, result{code: errcode.BadJSON, field: "f", msg: "malformed JSON at byte 0", pos: 0}},
		{"\x00", result{code: errcode.BadJSON, field: "f", msg: "malformed JSON at byte 0", pos: 0}},
		{``, result{code: errcode.BadJSON, field: "f", msg: "truncated", pos: 0}},
	} {
		s := New([]byte(c.in))
		ok := s.WrongType("f", "X")
		check(t, c.in, &s, "", ok, c.result)
	}
	// The first error stays.
	s := New([]byte(`1`))
	s.Fail("own_code", "g", "first")
	if s.WrongType("f", "X") || s.Err.Code != "own_code" || s.Err.Field != "g" {
		t.Errorf("the first error was replaced: %v", s.Err)
	}
}

// TestSkip: Skip reads over any value checking its grammar only; Check
// also rejects invalid UTF-8, lone surrogates and repeated names.
func TestSkip(t *testing.T) {
	for _, c := range []struct {
		in          string
		skip, check result
	}{
		{`{"a":[1,-2.5e+3,true,false,null,"x",{}],"b":{"c":[]}} `, result{pos: 53}, result{pos: 53}},
		{`"s",`, result{pos: 3}, result{pos: 3}},
		{`0`, result{pos: 1}, result{pos: 1}},
		{`[01]`, result{code: errcode.BadJSON, field: "v", msg: "malformed JSON at byte 2", pos: 2}, result{code: errcode.BadJSON, field: "v", msg: "at byte 2", pos: 2}},
		{`[1,]`, result{code: errcode.BadJSON, field: "v", msg: "malformed JSON at byte 3", pos: 3}, result{code: errcode.BadJSON, field: "v", pos: 3}},
		{`{"a":1,}`, result{code: errcode.BadJSON, field: "v", msg: "malformed JSON at byte 7", pos: 7}, result{code: errcode.BadJSON, field: "v", pos: 7}},
		{`{"a"}`, result{code: errcode.BadJSON, field: "v", msg: "malformed JSON at byte 4", pos: 4}, result{code: errcode.BadJSON, field: "v", pos: 4}},
		{`{1:2}`, result{code: errcode.BadJSON, field: "v", msg: "malformed JSON at byte 1", pos: 1}, result{code: errcode.BadJSON, field: "v", pos: 1}},
		{`[tru]`, result{code: errcode.BadJSON, field: "v", pos: 1}, result{code: errcode.BadJSON, field: "v", pos: 1}},
		{`[nul]`, result{code: errcode.BadJSON, field: "v", pos: 1}, result{code: errcode.BadJSON, field: "v", pos: 1}},
		{`[1}`, result{code: errcode.BadJSON, field: "v", pos: 2}, result{code: errcode.BadJSON, field: "v", pos: 2}},
		{`{"a":1]`, result{code: errcode.BadJSON, field: "v", pos: 6}, result{code: errcode.BadJSON, field: "v", pos: 6}},
		{`[`, result{code: errcode.BadJSON, field: "v", msg: "truncated", pos: 1}, result{code: errcode.BadJSON, field: "v", msg: "truncated", pos: 1}},
		{``, result{code: errcode.BadJSON, field: "v", msg: "truncated", pos: 0}, result{code: errcode.BadJSON, field: "v", msg: "truncated", pos: 0}},
		{"[\"\x01\"]", result{code: errcode.BadJSON, field: "v", msg: "control character", pos: 2}, result{code: errcode.BadJSON, field: "v", msg: "control character", pos: 2}},
		{`["\q"]`, result{code: errcode.BadJSON, field: "v", msg: "bad escape", pos: 2}, result{code: errcode.BadJSON, field: "v", msg: "bad escape", pos: 2}},
		// Only Check looks at what a reader would read differently.
		{"[\"\xff\"]", result{pos: 5}, result{code: errcode.BadUTF8, field: "v", msg: "invalid UTF-8 at byte 2", pos: 2}},
		{"{\"\xff\":1}", result{pos: 7}, result{code: errcode.BadUTF8, field: "v", msg: "invalid UTF-8 at byte 2", pos: 2}},
		{`["\ud800"]`, result{pos: 10}, result{code: errcode.BadUTF8, field: "v", msg: "lone UTF-16 surrogate at byte 2", pos: 2}},
		{`{"a":1,"a":2}`, result{pos: 13}, result{code: errcode.DuplicateField, field: "v", msg: `duplicate name "a" in v at byte 7`, pos: -1}},
		{`[{"a":{"b":1,"b":1}}]`, result{pos: 21}, result{code: errcode.DuplicateField, field: "v", msg: `duplicate name "b" in v at byte 13`, pos: -1}},
		{`[{"a":1},{"a":1}]`, result{pos: 17}, result{pos: 17}},
		{`{"a":{"a":{}}}`, result{pos: 14}, result{pos: 14}},
		{`{"a\n":1,"a\u000a":2}`, result{pos: 21}, result{code: errcode.DuplicateField, field: "v", msg: `duplicate name "a\n"`, pos: -1}},
	} {
		for _, strict := range []bool{false, true} {
			s := New([]byte(c.in))
			want, name := c.skip, "Skip "+c.in
			if strict {
				want, name = c.check, "Check "+c.in
			}
			check(t, name, &s, "", s.skip("v", strict), want)
		}
	}
}

// TestSkipDepth: Skip and Check read 64 levels of nesting below the value
// they start at and no more (the reference allows 10,000; see the
// package's doc).
func TestSkipDepth(t *testing.T) {
	for _, c := range []struct {
		open, close string
	}{{"[", "]"}, {`{"a":`, "}"}, {`[{"a":`, "}]"}} {
		for _, n := range []int{maxDepth, maxDepth + 1} {
			levels := n
			if len(c.open) > 5 { // two levels each
				levels = n / 2 * 2
				n /= 2
			}
			doc := strings.Repeat(c.open, n) + "0" + strings.Repeat(c.close, n)
			for _, strict := range []bool{false, true} {
				s := New([]byte(doc))
				ok := s.skip("d", strict)
				if want := levels <= maxDepth; ok != want {
					t.Errorf("%d levels of %s (strict %v): %v, want %v", levels, c.open, strict, s.Err, want)
				}
				if !ok && (s.Err.Code != errcode.BadJSON || s.Err.Field != "d" || s.Err.Message != "nesting deeper than 64") {
					t.Errorf("%d levels: %v", levels, s.Err)
				}
			}
		}
	}
	// The limit counts from where Skip starts.
	s := New([]byte(`{"x":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + "}"))
	first := true
	if !s.Object("") {
		t.Fatal(s.Err)
	}
	if _, ok := s.Next(&first, ""); !ok || !s.Skip("x") {
		t.Errorf("64 levels under an object: %v", s.Err)
	}
}

// TestEnd: only white space may follow the document; a NUL is data.
func TestEnd(t *testing.T) {
	for _, c := range []struct {
		in string
		result
	}{
		{`{}`, result{pos: 2}},
		{"{} \t\r\n", result{pos: 6}},
		{"{}\x00", result{code: errcode.BadJSON, msg: "data after the JSON value at byte 2", pos: 2}},
		{"{} \x00{\"x\":[[[", result{code: errcode.BadJSON, msg: "data after the JSON value at byte 3", pos: 3}},
		{`{}{}`, result{code: errcode.BadJSON, msg: "data after the JSON value at byte 2", pos: 2}},
		{"{}\ufeff", result{code: errcode.BadJSON, msg: "at byte 2", pos: 2}},
		{"{}\v", result{code: errcode.BadJSON, msg: "at byte 2", pos: 2}},
	} {
		s := New([]byte(c.in))
		if !s.Skip("") {
			t.Fatal(s.Err)
		}
		check(t, c.in, &s, "", s.End(), c.result)
	}
	s := New([]byte(`x`))
	s.Fail(errcode.BadType, "f", "first")
	if s.End() || s.Err.Code != errcode.BadType {
		t.Errorf("End after an error: %v", s.Err)
	}
}

// TestPeek: Peek reads the end and a NUL alike; every reading method
// rejects a NUL where a value or separator is due.
func TestPeek(t *testing.T) {
	s := New([]byte(" \x00"))
	if s.Peek() != 0 || s.Pos != 1 {
		t.Errorf("Peek on a NUL: at %d", s.Pos)
	}
	for name, read := range map[string]func(*Scanner) bool{
		"Object": func(s *Scanner) bool { return s.Object("f") },
		"Array":  func(s *Scanner) bool { return s.Array("f") },
		"Str":    func(s *Scanner) bool { _, ok := s.Str("f"); return ok },
		"Bool":   func(s *Scanner) bool { _, ok := s.Bool("f"); return ok },
		"Int":    func(s *Scanner) bool { _, ok := s.Int("f"); return ok },
		"Skip":   func(s *Scanner) bool { return s.Skip("f") },
		"Check":  func(s *Scanner) bool { return s.Check("f") },
		"Next": func(s *Scanner) bool {
			first := true
			s.Pos = 1 // inside {
			s.names.open()
			_, ok := s.Next(&first, "f")
			return ok
		},
		"More": func(s *Scanner) bool {
			first := false
			s.Pos = 1
			return s.More(&first, "f")
		},
	} {
		s := New([]byte("{\x00}"))
		if name != "Next" && name != "More" {
			s.Pos = 1
		}
		if read(&s) || s.Err == nil || s.Err.Code != errcode.BadJSON || s.Err.Message != "malformed JSON at byte 1" {
			t.Errorf("%s on a NUL: %v", name, s.Err)
		}
	}
}

// TestFirstErrorStays: after an error every method returns false and the
// error is the first one.
func TestFirstErrorStays(t *testing.T) {
	s := New([]byte(`{"a":"x","b":[1,2],"c":true}`))
	s.Fail("mine", "here", "first")
	first := true
	if s.Object("") || s.Array("") || s.More(&first, "") || s.Skip("") || s.Check("") || s.Null() || s.End() || s.WrongType("", "") {
		t.Error("a method returned true after an error")
	}
	if _, ok := s.Next(&first, ""); ok {
		t.Error("Next after an error")
	}
	if _, ok := s.Str(""); ok {
		t.Error("Str after an error")
	}
	if _, ok := s.Bool(""); ok {
		t.Error("Bool after an error")
	}
	if _, ok := s.Int(""); ok {
		t.Error("Int after an error")
	}
	if s.Err.Code != "mine" || s.Err.Field != "here" || s.Err.Message != "first" || s.Pos != 0 {
		t.Errorf("error %v at %d", s.Err, s.Pos)
	}
	if got := s.Err.Error(); got != "mine: here: first" {
		t.Errorf("Error() = %q", got)
	}
	if got := (&errcode.Error{Code: "c", Message: "m"}).Error(); got != "c: m" {
		t.Errorf("Error() = %q", got)
	}
}

func TestValidate(t *testing.T) {
	for in, code := range map[string]errcode.Code{
		` {"a":[1,"x",{"b":null}]} `: "",
		`{"a":1}` + "\x00":           errcode.BadJSON,
		`{"a":1,"a":1}`:              errcode.DuplicateField,
		"[\"\xff\"]":                 errcode.BadUTF8,
		`"\udfff"`:                   errcode.BadUTF8,
		``:                           errcode.BadJSON,
	} {
		err := Validate([]byte(in))
		if got := errcode.Code(""); err != nil {
			got = err.Code
			if got != code {
				t.Errorf("Validate(%q) = %v, want %s", in, err, code)
			}
		} else if code != "" {
			t.Errorf("Validate(%q) = nil, want %s", in, code)
		}
	}
}
