package prompts

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine/errcode"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/broken/*.txt from what the compiler says")

// TestBroken runs every case of testdata/broken: each one edits the valid
// minimal project of testdata/mini and says exactly which problems, with
// file:line:col, code and key, the compiler must report. A case is a txtar
// archive:
//
//	what the case is about
//	-- edit prompts/mini/2024-01-01.toml --
//	text to replace (exactly once)
//	>>>
//	replacement
//	-- file locales/fr.toml --
//	a whole new file
//	-- delete locales/en.toml --
//	-- freeze prompts/mini/2024-01-01.toml --
//	-- want --
//	prompts/mini/2024-01-01.toml:3:6: bad-value: policy.id: ...
func TestBroken(t *testing.T) {
	cases, err := filepath.Glob("testdata/broken/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 20 {
		t.Fatalf("only %d broken cases; keep at least 20", len(cases))
	}
	for _, file := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			comment, sections := parseTxtar(string(data))
			if strings.TrimSpace(comment) == "" {
				t.Error("a case starts with a line saying what it is about")
			}
			root := t.TempDir()
			copyTree(t, "testdata/mini", root)
			var want string
			haveWant := false
			for _, s := range sections {
				verb, name, _ := strings.Cut(s.name, " ")
				path := filepath.Join(root, name)
				switch verb {
				case "edit":
					old, new, ok := strings.Cut(s.body, ">>>\n")
					if !ok {
						t.Fatalf("edit %s: no >>> line", name)
					}
					src, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					if n := strings.Count(string(src), old); n != 1 {
						t.Fatalf("edit %s: the text to replace occurs %d times, want once:\n%s", name, n, old)
					}
					writeTestFile(t, path, strings.Replace(string(src), old, new, 1))
				case "file":
					writeTestFile(t, path, s.body)
				case "bytes":
					// Raw bytes, written with \xNN escapes.
					writeTestFile(t, path, unescapeBytes(s.body))
				case "freeze":
					// Publish a version as it stands: write its lock.
					freeze(t, root, strings.TrimSuffix(filepath.Base(name), ".toml"))
				case "delete":
					if err := os.Remove(path); err != nil {
						t.Fatal(err)
					}
				case "want":
					want, haveWant = s.body, true
				default:
					t.Fatalf("unknown section %q", s.name)
				}
			}
			got := problemsOf(root)
			if *update {
				rewriteWant(t, file, string(data), got)
				return
			}
			if !haveWant {
				t.Fatal("the case has no want section")
			}
			if got == "" {
				t.Fatal("the compiler accepted the broken project")
			}
			if got != want {
				t.Errorf("problems differ\n--- got\n%s--- want\n%s", got, want)
			}
		})
	}
}

// problemsOf loads and lints the project under root and returns its
// problems, one a line, with paths relative to root.
func problemsOf(root string) string {
	p, err := Load([]string{filepath.Join(root, "prompts/mini")}, []string{filepath.Join(root, "locales")})
	var probs errcode.List
	if err != nil {
		if !errors.As(err, &probs) {
			return "error: " + err.Error() + "\n"
		}
	} else {
		probs = Lint(p)
	}
	var b strings.Builder
	for _, pr := range probs {
		b.WriteString(strings.ReplaceAll(pr.Error(), root+string(filepath.Separator), ""))
		b.WriteByte('\n')
	}
	return b.String()
}

// freeze writes the lock of a version of the project under root, as
// promptc freeze does.
func freeze(t *testing.T, root, version string) {
	t.Helper()
	p, err := Load([]string{filepath.Join(root, "prompts/mini")}, []string{filepath.Join(root, "locales")})
	if err != nil {
		t.Fatal(err)
	}
	l, err := Freeze(p, version)
	if err != nil {
		t.Fatal(err)
	}
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, l.File(), string(data))
}

type txtarSection struct{ name, body string }

// parseTxtar reads the txtar format: a comment, then sections that each
// start with a line "-- name --".
func parseTxtar(s string) (string, []txtarSection) {
	var comment strings.Builder
	var sections []txtarSection
	for _, line := range strings.SplitAfter(s, "\n") {
		trimmed := strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			sections = append(sections, txtarSection{name: trimmed[3 : len(trimmed)-3]})
			continue
		}
		if len(sections) == 0 {
			comment.WriteString(line)
		} else {
			sections[len(sections)-1].body += line
		}
	}
	return comment.String(), sections
}

func rewriteWant(t *testing.T, file, data, got string) {
	t.Helper()
	if i := strings.Index(data, "-- want --\n"); i >= 0 {
		data = data[:i]
	}
	if err := os.WriteFile(file, []byte(data+"-- want --\n"+got), 0o644); err != nil {
		t.Fatal(err)
	}
}

func unescapeBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			var v byte
			for _, c := range s[i+2 : i+4] {
				v <<= 4
				switch {
				case c >= '0' && c <= '9':
					v |= byte(c - '0')
				case c >= 'a' && c <= 'f':
					v |= byte(c - 'a' + 10)
				}
			}
			b.WriteByte(v)
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
