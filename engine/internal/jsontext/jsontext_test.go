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

// TestStrMemory: a string without escapes is the document's own bytes; one
// with escapes is new memory, which later strings never overwrite (they
// shared one buffer, so a request's escaped now, kept for receipts, read
// as the next escaped string).
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
}
