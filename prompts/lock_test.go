package prompts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// miniCopy copies testdata/mini into a temporary folder and returns it.
func miniCopy(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	copyTree(t, "testdata/mini", root)
	return root
}

func loadMini(t *testing.T, root string) *Project {
	t.Helper()
	p, err := Load([]string{filepath.Join(root, "prompts/mini")}, []string{filepath.Join(root, "locales")})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// replaceIn replaces old by new, exactly once, in a file.
func replaceIn(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), old); n != 1 {
		t.Fatalf("%s: %q occurs %d times", file, old, n)
	}
	writeTestFile(t, file, strings.Replace(string(data), old, new, 1))
}

// TestFrozenTextEditedInPlace: once a version is frozen, editing one of
// its texts in the shared message file is a lint error at that message,
// naming the version, the locale and the message; the lock is
// deterministic and refreezing the same texts gives the same bytes.
func TestFrozenTextEditedInPlace(t *testing.T) {
	root := miniCopy(t)
	freeze(t, root, "2024-01-01")
	lockFile := filepath.Join(root, "prompts/mini/2024-01-01.lock")
	first, err := os.ReadFile(lockFile)
	if err != nil {
		t.Fatal(err)
	}
	p := loadMini(t, root)
	if probs := Lint(p); len(probs) > 0 {
		t.Fatalf("the frozen version as it is: %v", probs)
	}
	l, err := Freeze(p, "2024-01-01")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := l.Marshal()
	if string(again) != string(first) {
		t.Error("freezing the same texts twice gives other bytes")
	}
	if l.Texts["en"]["purpose.loan.liveness.camera"] == "" || l.Texts["en"]["rationale.title:camera"] == "" || l.Texts["en"]["data.face"] == "" {
		t.Errorf("the lock lacks texts the version renders: %v", l.Texts["en"])
	}
	for key := range l.Texts["en"] {
		if strings.HasPrefix(key, "change") {
			t.Errorf("the lock holds a change line %s", key)
		}
	}

	en := filepath.Join(root, "locales/en.toml")
	replaceIn(t, en, `"We check that it is really you."`, `"We check that it is really you, and use your face in our ads."`)
	probs := Lint(loadMini(t, root))
	if len(probs) != 1 {
		t.Fatalf("want one problem, got %v", probs)
	}
	pr := probs[0]
	if pr.Code != CodeFrozenText || pr.Field != "purpose.loan.liveness.camera" || pr.Pos.File != en || pr.Pos.Line == 0 {
		t.Errorf("got %v", pr)
	}
	for _, want := range []string{"frozen in 2024-01-01", "en text of purpose.loan.liveness.camera", "make a new version"} {
		if !strings.Contains(pr.Message, want) {
			t.Errorf("%q does not say %q", pr.Message, want)
		}
	}
	if _, err := Freeze(loadMini(t, root), "2024-01-01"); err == nil {
		t.Error("froze a version whose frozen texts changed")
	}
}
