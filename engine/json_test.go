package engine

import "testing"

// TestAppendString: JSON strings as the engine writes them. Only what
// must be escaped is (quotes, backslashes, control characters), and
// U+2028 and U+2029, so that the output is also JavaScript source; other
// text, a space or a CJK character whose UTF-8 shares bytes with them
// included, stays as it is.
func TestAppendString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a b", `"a b"`},
		{`say "hi"\`, `"say \"hi\"\\"`},
		{"line\nnext\r\ttab", `"line\nnext\r\ttab"`},
		{"\x00\x1f", `"\u0000\u001f"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
		{"\u4028\u4029", "\"\u4028\u4029\""}, // E4 80 A8: not U+2028
		{"隐私政策", `"隐私政策"`},
		{"\xe2\x80", "\"\xe2\x80\""}, // cut short: no escape reads past the end
	} {
		if got := string(appendString(nil, c.in)); got != c.want {
			t.Errorf("appendString(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
