package engine_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/jitconsent/jitconsent"

// TestLayers holds the engine at the bottom of the house: no package
// under engine/ imports a package of the project outside engine/, so that
// the module links nothing of the compiler, the conformance runner or the
// simulator, and the engine can be read on its own. Its tests may import
// the conformance runner and prompttest; go list without -test leaves
// them out. The module (wasm/, built for wasip1) is held to the same.
func TestLayers(t *testing.T) {
	for _, c := range []struct {
		what, pattern string
		env           []string
	}{
		{"the engine", module + "/engine/...", nil},
		{"the module", module + "/wasm", []string{"GOOS=wasip1", "GOARCH=wasm"}},
	} {
		// -e: the module's embedded bundle is generated (make wasm), and a
		// missing one must not hide the imports.
		cmd := exec.Command(goTool(t), "list", "-e", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, c.pattern)
		cmd.Env = append(os.Environ(), c.env...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", c.pattern, err, stderr(err))
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) == 0 || lines[0] == "" {
			t.Fatalf("go list %s lists nothing", c.pattern)
		}
		for _, line := range lines {
			deps := strings.Fields(line)
			for _, d := range deps[1:] {
				if strings.HasPrefix(d, module+"/") && !strings.HasPrefix(d, module+"/engine") {
					t.Errorf("%s: %s imports %s, outside engine/", c.what, deps[0], d)
				}
			}
		}
	}
}

// goTool is the go command on PATH, which `go test` puts there.
func goTool(t *testing.T) string {
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command on PATH: %v", err)
	}
	return p
}

func stderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
