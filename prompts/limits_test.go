package prompts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInputLimits: the inputs of issue 15 that stalled the TOML decoder
// (seconds and gigabytes, or out of memory), as a policy version and as a
// message file of the minimal project, are refused with their
// file:line:col before it sees them. They are generated here: the
// largest is over 1 MiB. BenchmarkLimits in internal/tomlguard times the
// check; the small cases are also in testdata/broken (77 to 79).
func TestInputLimits(t *testing.T) {
	nested := func(n int) string {
		return "x = " + strings.Repeat("{a=", n) + "1" + strings.Repeat("}", n) + "\n"
	}
	header := "[" + strings.Repeat("a.", 99999) + "a]\n"
	big := "# " + strings.Repeat("x", 1<<20) + "\n"
	cases := []struct {
		name, text string
		policy     string // the error when the policy version ends with text
		locale     string // the error when the message file ends with text
	}{
		{"inline tables 8,000 deep", nested(8000),
			"prompts/mini/2024-01-01.toml:142:101: too_deep: arrays and inline tables nested 8000 deep; the limit is 32",
			"locales/en.toml:164:101: too_deep: arrays and inline tables nested 8000 deep; the limit is 32"},
		{"inline tables 16,000 deep", nested(16000),
			"prompts/mini/2024-01-01.toml:142:101: too_deep: arrays and inline tables nested 16000 deep; the limit is 32",
			"locales/en.toml:164:101: too_deep: arrays and inline tables nested 16000 deep; the limit is 32"},
		{"a header of 100,000 parts", header,
			"prompts/mini/2024-01-01.toml:142:1: too_long: a dotted key of 100000 parts; the limit is 64",
			"locales/en.toml:164:1: too_long: a dotted key of 100000 parts; the limit is 64"},
		{"invalid UTF-8", "x = \"café \xe9\"\n",
			"prompts/mini/2024-01-01.toml:142:11: bad_utf8: invalid UTF-8 at byte offset 3246 (byte 0xe9): a TOML file is UTF-8",
			"locales/en.toml:164:11: bad_utf8: invalid UTF-8 at byte offset 4685 (byte 0xe9): a TOML file is UTF-8"},
		{"over 1 MiB", big,
			"prompts/mini/2024-01-01.toml:142:1045342: too_large: the file is 1051814 bytes, over the limit of 1048576 (1 MiB)",
			"locales/en.toml:164:1043903: too_large: the file is 1053253 bytes, over the limit of 1048576 (1 MiB)"},
	}
	for _, c := range cases {
		for _, f := range []struct{ file, want string }{
			{"prompts/mini/2024-01-01.toml", c.policy},
			{"locales/en.toml", c.locale},
		} {
			t.Run(c.name+"/"+filepath.Base(f.file), func(t *testing.T) {
				root := t.TempDir()
				copyTree(t, "testdata/mini", root)
				path := filepath.Join(root, f.file)
				writeTestFile(t, path, readTestFile(t, path)+c.text)
				if got := problemsOf(root); got != f.want+"\n" {
					t.Errorf("problems:\n got %s\nwant %s", got, f.want)
				}
			})
		}
	}
}

func readTestFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
