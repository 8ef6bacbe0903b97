package ledger

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	ref "github.com/go-json-experiment/json/jsontext"
)

// The test vectors of RFC 8785 (JSON Canonicalization Scheme).

// TestCanonicalRFC8785Example is section 3.2.2's example: numbers,
// string escapes and literals.
func TestCanonicalRFC8785Example(t *testing.T) {
	in := `{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`
	want := `{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`
	got, err := Canonical([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestCanonicalRFC8785Sorting is section 3.2.3's example: members sorted
// by UTF-16 code units, where an emoji (a surrogate pair, 0xD83D...)
// comes before U+FB33, unlike in UTF-8 byte order.
func TestCanonicalRFC8785Sorting(t *testing.T) {
	in := `{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`
	want := "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\"," +
		"\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}"
	got, err := Canonical([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestCanonicalRFC8785Numbers is Appendix B: IEEE 754 doubles and how
// ECMAScript (and so JCS) writes them.
func TestCanonicalRFC8785Numbers(t *testing.T) {
	cases := []struct {
		bits uint64
		want string // "" for a value JSON cannot hold
	}{
		{0x0000000000000000, "0"},
		{0x8000000000000000, "0"}, // minus zero
		{0x0000000000000001, "5e-324"},
		{0x8000000000000001, "-5e-324"},
		{0x7fefffffffffffff, "1.7976931348623157e+308"},
		{0xffefffffffffffff, "-1.7976931348623157e+308"},
		{0x4340000000000000, "9007199254740992"},
		{0xc340000000000000, "-9007199254740992"},
		{0x4430000000000000, "295147905179352830000"},
		{0x7fffffffffffffff, ""}, // NaN
		{0x7ff0000000000000, ""}, // Infinity
		{0x44b52d02c7e14af5, "9.999999999999997e+22"},
		{0x44b52d02c7e14af6, "1e+23"},
		{0x44b52d02c7e14af7, "1.0000000000000001e+23"},
		{0x444b1ae4d6e2ef4e, "999999999999999700000"},
		{0x444b1ae4d6e2ef4f, "999999999999999900000"},
		{0x444b1ae4d6e2ef50, "1e+21"},
		{0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
		{0x3eb0c6f7a0b5ed8d, "0.000001"},
		{0x41b3de4355555553, "333333333.3333332"},
		{0x41b3de4355555554, "333333333.33333325"},
		{0x41b3de4355555555, "333333333.3333333"},
		{0x41b3de4355555556, "333333333.3333334"},
		{0x41b3de4355555557, "333333333.33333343"},
		{0xbecbf647612f3696, "-0.0000033333333333333333"},
		{0x43143ff3c1cb0959, "1424953923781206.2"},
	}
	for _, c := range cases {
		f := math.Float64frombits(c.bits)
		got, err := appendNumber(nil, f)
		if c.want == "" {
			if err == nil {
				t.Errorf("%016x: wrote %s for a value JSON has no form for", c.bits, got)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("%016x: got %q (%v), want %q", c.bits, got, err, c.want)
		}
		// Read back through the parser: the same text again.
		again, err := Canonical([]byte(c.want))
		if err != nil || string(again) != c.want {
			t.Errorf("%s read and written: %q (%v)", c.want, again, err)
		}
	}
}

// TestCanonicalStrings: what receipts hold, written as SPEC.md spells it
// out: the short escapes, other control characters as \u00xx in lower
// case, and everything else literally (non-ASCII, '/', U+007F, U+2028).
func TestCanonicalStrings(t *testing.T) {
	in := "\"a\\u0000\\u001F\\b\\f\\n\\r\\t\\\"\\\\\\/\u007f\u2028\u2029马上<>&\""
	want := "\"a\\u0000\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\u007f\u2028\u2029马上<>&\""
	got, err := Canonical([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// A Go value goes through encoding/json, which escapes <, > and &:
	// the canonical form does not.
	got, err = Canonical(map[string]any{"b": []any{1, "x<y"}, "a": true})
	if err != nil || string(got) != `{"a":true,"b":[1,"x<y"]}` {
		t.Errorf("a Go value: %s (%v)", got, err)
	}
}

// TestCanonicalRefuses: what is not I-JSON has no canonical form.
func TestCanonicalRefuses(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"repeated name", `{"a":1,"a":2}`, `member "a" is given twice`},
		{"repeated name, escaped", `{"a":1,"\u0061":2}`, `member "a" is given twice`},
		{"repeated name among many", `{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"a":2}`, `member "a" is given twice`},
		{"lone high surrogate", `"\ud800"`, `lone surrogate`},
		{"lone low surrogate", `"\udc00x"`, `lone surrogate`},
		{"invalid UTF-8", "\"\xff\"", `not valid UTF-8`},
		{"invalid UTF-8 after an escape", "\"\\n\xc3\"", `not valid UTF-8`},
		{"beyond a double", `1e400`, `beyond the range of a double`},
		{"trailing data", `{} {}`, `data after the JSON value`},
		{"leading zero", `01`, `data after the JSON value`},
		{"bare control character", "\"a\tb\"", `control character`},
		{"unclosed", `{"a":`, `unexpected end`},
		{"unknown escape", `"\x"`, `unknown escape`},
		{"deep", strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), `nested more than`},
		{"empty", ``, `unexpected end`},
	} {
		_, err := Canonical([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// FuzzCanonical holds Canonical against encoding/json and against the
// canonicalizer of github.com/go-json-experiment/json (the coming
// encoding/json/v2): whatever encoding/json reads, Canonical either
// refuses for a reason I-JSON gives (a repeated name, invalid UTF-8, a
// lone surrogate) or writes a text that encoding/json reads as the same
// value, that is its own canonical form, and that the reference
// canonicalizer writes byte for byte.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		`{"b":1,"a":[true,false,null,"x"],"c":{"d":1.5e3}}`,
		`{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001]}`,
		`"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"`,
		`{"\ud83d\ude00":1,"\ufb33":2,"\u0080":3}`,
		`[-0, 0.1, 1e21, 1e-7, 123456789012345678901234567890]`,
		`{"answer":"accepted","seq":7,"separate_consent":true,"sensitive":"precise_location"}`,
		`{"a":1,"a":2}`,
		"\"\xff\"",
		`"\ud800"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want any
		stdErr := json.Unmarshal(data, &want)
		got, err := Canonical(data)
		if err != nil {
			if stdErr == nil && !iJSONViolation(err) {
				t.Fatalf("encoding/json reads %q but Canonical refuses it: %v", data, err)
			}
			return
		}
		if stdErr != nil {
			t.Fatalf("Canonical reads %q but encoding/json does not: %v", data, stdErr)
		}
		var back any
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("canonical form %q is not JSON: %v", got, err)
		}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("%q canonical %q reads as %#v, not %#v", data, got, back, want)
		}
		again, err := Canonical(got)
		if err != nil || !bytes.Equal(again, got) {
			t.Fatalf("canonical form %q is not its own canonical form: %q (%v)", got, again, err)
		}
		// What encoding/json makes of the value canonicalizes the same.
		remarshal, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if viaStd, err := Canonical(remarshal); err != nil || !bytes.Equal(viaStd, got) {
			t.Fatalf("%q: encoding/json's %q canonicalizes to %q (%v), the input to %q", data, remarshal, viaStd, err, got)
		}
		rv := ref.Value(bytes.Clone(data))
		if err := rv.Canonicalize(); err == nil && !bytes.Equal([]byte(rv), got) {
			t.Fatalf("%q: the reference canonicalizer writes %q, Canonical %q", data, rv, got)
		}
	})
}

// iJSONViolation reports whether err is a refusal that I-JSON demands
// and encoding/json does not make.
func iJSONViolation(err error) bool {
	msg := err.Error()
	for _, s := range []string{"given twice", "not valid UTF-8", "lone surrogate", "nested more than"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
