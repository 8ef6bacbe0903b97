package tomlguard

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// nested is key = a value of inline tables n deep: x={a={a=1}} for n 2.
func nested(n int) string {
	return "x=" + strings.Repeat("{a=", n) + "1" + strings.Repeat("}", n) + "\n"
}

// arrays is a value of arrays n deep: [[1]] for n 2.
func arrays(n int) string {
	return strings.Repeat("[", n) + "1" + strings.Repeat("]", n)
}

// dotted is a dotted key of n parts: a.a.a for n 3.
func dotted(n int) string {
	return strings.Repeat("a.", n-1) + "a"
}

// journey is what precedes the trap in each case: two lines of a journey.
const journey = "name = \"n\"\ndevices = [\"all\"]\n"

func TestCheck(t *testing.T) {
	deep := arrays(MaxDepth + 1)
	cases := []struct {
		name, src string
		want      string // the error, or "" for none
	}{
		// The limits, at and over.
		{"inline tables at the limit", journey + nested(MaxDepth), ""},
		{"inline tables over the limit", journey + nested(MaxDepth+1),
			"f.toml:3:99: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"inline tables 8,000 deep", journey + nested(8000),
			"f.toml:3:99: too_deep: arrays and inline tables nested 8000 deep; the limit is 32"},
		{"arrays at the limit", "x = " + arrays(MaxDepth), ""},
		{"arrays over the limit", "x = " + deep, "f.toml:1:37: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"arrays and tables mixed", "x = [{a = [{b = " + arrays(29) + "}]}]", "f.toml:1:45: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"arrays over several lines", "x = [\n" + strings.Repeat("[\n", 32) + "1" + strings.Repeat("]", 33), "f.toml:33:1: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"depth closes with its brackets", "x = [" + arrays(31) + ", " + arrays(31) + "]\ny = " + arrays(32), ""},
		{"each value counts from zero", strings.Repeat("x = "+arrays(32)+"\n", 3), ""},
		{"key at the part limit", dotted(MaxKeyParts) + " = 1", ""},
		{"key over the part limit", "\n  " + dotted(MaxKeyParts+1) + " = 1", "f.toml:2:3: too_long: a dotted key of 65 parts; the limit is 64"},
		{"header over the part limit", "[" + dotted(100000) + "]", "f.toml:1:1: too_long: a dotted key of 100000 parts; the limit is 64"},
		{"array header over the part limit", "x = 1\n[[ " + dotted(65) + " ]]", "f.toml:2:1: too_long: a dotted key of 65 parts; the limit is 64"},
		{"inline-table key over the part limit", "x = {b = 1, " + dotted(65) + " = 2}", "f.toml:1:13: too_long: a dotted key of 65 parts; the limit is 64"},
		{"spaces and quotes around the dots", `[ "a" . 'b' . c ]` + "\n" + strings.Repeat(`"q" . `, 64) + "z = 1", "f.toml:2:1: too_long: a dotted key of 65 parts; the limit is 64"},
		{"inline tables at the count limit", strings.Repeat("x = {a = 1}\n", MaxInlineTables), ""},
		{"inline tables over the count limit", strings.Repeat("x = [{}, {a = {b = 1}}]\n", MaxInlineTables/3+1), "f.toml:1366:10: too_many: more than 4096 inline tables in the file"},
		{"inline tables in strings do not count", strings.Repeat("x = \"{a = {}}\"\n", 2*MaxInlineTables), ""},
		{"key at the length limit", strings.Repeat("k", MaxKeyBytes) + " = 1", ""},
		{"key over the length limit", "x = 1\n" + strings.Repeat("k", MaxKeyBytes+1) + " = 1", "f.toml:2:1: too_long: a key of 1025 bytes; the limit is 1024"},
		{"quoted key over the length limit", `"` + strings.Repeat("k", MaxKeyBytes) + `" = 1`, "f.toml:1:1: too_long: a key of 1026 bytes; the limit is 1024"},

		// Brackets, braces and dots inside strings and comments are text.
		// (In an array: there, brackets a string did not hide would count.)
		{"brackets in a basic string", `x = ["` + deep + `{{{"]`, ""},
		{"brackets in a literal string", `x = ['` + deep + `']`, ""},
		{"brackets in a multi-line basic string", "x = [\"\"\"\n" + deep + "\n\"\"\"]", ""},
		{"brackets in a multi-line literal string", "x = ['''\n" + deep + "\n''']", ""},
		{"brackets in a comment", "# " + deep + "\nx = 1 # " + deep, ""},
		{"comments inside an array", "x = [ # " + deep + "\n  1, # {{{\n]", ""},
		{"an escaped quote does not close", `x = ["a\" ` + deep + `"]`, ""},
		{"an escaped quote in a multi-line string", "x = [\"\"\" \\\"\"\" " + deep + " \"\"\"]", ""},
		{"a multi-line string ends with a quote of its own", `x = ["""a"""", ` + deep + `]`, "f.toml:1:47: too_deep: arrays and inline tables nested 34 deep; the limit is 32"},
		{"a multi-line string ends with two quotes of its own", `x = ["""a""""", ` + deep + `]`, "f.toml:1:48: too_deep: arrays and inline tables nested 34 deep; the limit is 32"},
		{"a literal multi-line string ends with a quote of its own", `x = ['''a'''', ` + deep + `]`, "f.toml:1:47: too_deep: arrays and inline tables nested 34 deep; the limit is 32"},
		{"a multi-line string ends with its own quotes", "x = \"\"\"a\"\"\"\"\"\ny = " + deep, "f.toml:2:37: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"a literal multi-line string ends with its own quotes", "x = '''a'''''\ny = " + deep, "f.toml:2:37: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"an escaped backslash ends before the quote", `x = ["a\\", ` + deep + `]`, "f.toml:1:44: too_deep: arrays and inline tables nested 34 deep; the limit is 32"},
		{"a backslash in a literal string is no escape", `x = 'C:\'` + "\ny = " + deep, "f.toml:2:37: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"a backslash in a multi-line literal is no escape", "x = '''C:\\'''\ny = " + deep, "f.toml:2:37: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"a line-ending backslash in a multi-line string", "x = \"\"\"a \\\n  b\"\"\"\ny = " + deep, "f.toml:3:37: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"a backslash in a literal key is no escape", `'C:\' = ` + deep, "f.toml:1:41: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"dots in a quoted key are one part", `"` + dotted(200) + `" = 1`, ""},
		{"dots in a quoted header part", `[x."` + dotted(200) + `"]`, ""},
		{"dots in values", "x = 1.5e10\ny = 1979-05-27T07:32:00.999Z\nz = \"" + dotted(100) + "\"\nw = 1979-05-27 07:32:00", ""},
		{"an empty string before a quote", "x = \"\"\ny = " + deep, "f.toml:2:37: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"CRLF line ends", "a = 1\r\n[b]\r\nc = [\r\n 1,\r\n]\r\n", ""},
		{"empty arrays and tables, a trailing comma", "x = [[], {}, [1, 2,], {a = {}}]", ""},

		// Broken TOML is the decoder's to report, but brackets after it
		// still count, and the scan ends.
		{"an unclosed string", "x = \"abc\ny = " + deep, "f.toml:2:37: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"a backslash at the end of a one-line string", "x = \"a\\\ny = " + deep, "f.toml:2:37: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},
		{"a bracket right after a number", "x = [1" + deep + "]", "f.toml:1:38: too_deep: arrays and inline tables nested 34 deep; the limit is 32"},
		{"an unclosed multi-line string", "x = \"\"\"abc " + deep, ""},
		{"an unclosed array", "x = [1,\n" + deep, "f.toml:2:32: too_deep: arrays and inline tables nested 34 deep; the limit is 32"},
		{"stray bytes", "x = 1 2 ]]] }}} = ,,,\n= = [\n", ""},
		{"values without keys", "= " + deep, "f.toml:1:35: too_deep: arrays and inline tables nested 33 deep; the limit is 32"},

		// UTF-8: the first invalid byte, its line and column in characters.
		{"invalid UTF-8", journey + "description = \"caf\xe9\"\n", "f.toml:3:19: bad_utf8: invalid UTF-8 at byte offset 47 (byte 0xe9): a TOML file is UTF-8"},
		{"invalid UTF-8 after characters", "a = 1\n# é中\xff\n", "f.toml:2:5: bad_utf8: invalid UTF-8 at byte offset 13 (byte 0xff): a TOML file is UTF-8"},
		{"a truncated sequence", "a = \"\xe4\xb8\"", "f.toml:1:6: bad_utf8: invalid UTF-8 at byte offset 5 (byte 0xe4): a TOML file is UTF-8"},
		{"UTF-8 in keys and strings", "名前 = \"é\"\n\"ключ\".b = 'ü'", ""},

		// Size.
		{"at the size limit", "#" + strings.Repeat("x", MaxSize-1), ""},
		{"over the size limit", "a = 1\n#" + strings.Repeat("x", MaxSize), "f.toml:2:1048571: too_large: the file is 1048583 bytes, over the limit of 1048576 (1 MiB)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ""
			if err := Check("f.toml", []byte(c.src)); err != nil {
				got = err.Error()
			}
			if got != c.want {
				t.Errorf("Check:\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestDecoderAgrees holds the valid cases of TestCheck's traps against the
// decoder: each is TOML it reads, so that Check was tested on what the
// decoder would see, not on what Check alone believes.
func TestDecoderAgrees(t *testing.T) {
	deep := arrays(MaxDepth + 1)
	for _, src := range []string{
		`x = ["` + deep + `{{{"]`,
		"x = [\"\"\" \\\"\"\" " + deep + " \"\"\"]",
		`x = ["""a"""", 1]`,
		`x = ["""a""""", 1]`,
		`x = ['''a'''', 1]`,
		`x = ["a\" [[["]`,
		"x = \"\"\"a\"\"\"\"\"\ny = 1",
		"x = '''a'''''\ny = 1",
		`x = ["a\\", 1]`,
		`x = 'C:\'` + "\ny = 1",
		"x = '''C:\\'''\ny = 1",
		"x = \"\"\"a \\\n  b\"\"\"\ny = 1",
		`[ "a" . 'b' . c ]`,
		"x = [ # " + deep + "\n  1, # {{{\n]",
		"x = [[], {}, [1, 2,], {a = {}}]",
	} {
		var v map[string]any
		if _, err := toml.Decode(src, &v); err != nil {
			t.Errorf("the decoder refuses %q: %v", src, err)
		}
		if err := Check("f.toml", []byte(src)); err != nil {
			t.Errorf("Check refuses %q: %v", src, err)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.toml")
	big := filepath.Join(dir, "big.toml")
	if err := os.WriteFile(small, []byte("a = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, []byte("a = 1\n#"+strings.Repeat("x", 2*MaxSize)), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadFile(small); err != nil || string(data) != "a = 1\n" {
		t.Errorf("ReadFile(small) = %q, %v", data, err)
	}
	want := big + ":2:1048571: too_large: the file is 2097159 bytes, over the limit of 1048576 (1 MiB)"
	if _, err := ReadFile(big); err == nil || err.Error() != want {
		t.Errorf("ReadFile(big):\n got %v\nwant %s", err, want)
	}
	if _, err := ReadFile(filepath.Join(dir, "none.toml")); !os.IsNotExist(err) {
		t.Errorf("ReadFile(none) = %v, want not exist", err)
	}
}

// TestRealFiles: every TOML file of the repository passes unchanged.
func TestRealFiles(t *testing.T) {
	n := 0
	for _, root := range []string{"prompts", "locales", "examples", "hostsim"} {
		err := filepath.WalkDir(filepath.Join("../..", root), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Ext(path) != ".toml" || strings.Contains(path, "/limits/") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			n++
			if e := Check(path, data); e != nil {
				t.Errorf("a real file is refused: %v", e)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 40 {
		t.Errorf("only %d TOML files found; the walk missed the repository's", n)
	}
}

// FuzzCheck: Check ends, without panicking, on any input.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{nested(40), "[" + dotted(70) + "]", "x = \"\"\"a\\", "x = '''", "x = {a.b = [1, {c = \"d\"}]}", "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = Check("f.toml", data)
	})
}

// BenchmarkLimits times the refusal of each input of issue 15: the
// decoder took 17.8 s and 2.7 GB on the first, ran out of memory on the
// second and the third.
func BenchmarkLimits(b *testing.B) {
	big := []byte(journey + "description = \"\"\"\n" + strings.Repeat(strings.Repeat("x", 100)+"\n", 12000) + "\"\"\"\n")
	badEnd := []byte(strings.Repeat("# a comment line of the file\n", (MaxSize-100)/29) + "x = \"\xff\"\n")
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"nested-8000", []byte(journey + nested(8000))},
		{"nested-16000", []byte(journey + nested(16000))},
		{"dotted-header-100000", []byte(journey + "[" + dotted(100000) + "]\n")},
		{"bad-utf8-near-1MiB", badEnd},
		{"over-1MiB", big},
		{"inline-tables-32-deep-1MiB", []byte(strings.Repeat(nested(32), 1<<20/(4*32+4)))},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				if Check("f.toml", c.data) == nil {
					b.Fatal("not refused")
				}
			}
		})
	}
}
