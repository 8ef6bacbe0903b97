package jsontext

import "testing"

// TestEnd: only white space may follow the document; a NUL is data. Peek
// reads a NUL as the end, and End took what followed it for nothing.
func TestEnd(t *testing.T) {
	for in, want := range map[string]string{
		`{}`:                "",
		"{} \t\r\n":         "",
		"{}\x00":            "data after the JSON value at byte 2",
		"{} \x00{\"x\":[[[": "data after the JSON value at byte 3",
		`{}{}`:              "data after the JSON value at byte 2",
		"{}\ufeff":          "data after the JSON value at byte 2",
		"{}\v":              "data after the JSON value at byte 2",
	} {
		s := New([]byte(in))
		if !s.Skip("") {
			t.Fatal(s.Err)
		}
		ok := s.End()
		switch {
		case want == "" && !ok:
			t.Errorf("End(%q): %v", in, s.Err)
		case want != "" && (ok || s.Err.Code != CodeBadJSON || s.Err.Message != want || s.Pos != int(want[len(want)-1]-'0')):
			t.Errorf("End(%q) = %v, %v at %d; want %s", in, ok, s.Err, s.Pos, want)
		}
	}
}
