package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/firstlaunch"
)

// TestFirstLaunchCommand: first-launch writes a complete file for the
// bundle compile wrote, and refuses what is not a bundle, naming the file.
func TestFirstLaunchCommand(t *testing.T) {
	dir := t.TempDir()
	bundleFile, out := filepath.Join(dir, "bundle.json"), filepath.Join(dir, "out", "first-launch.json")
	if code, _, stderr := promptc(t, "compile", "-q", "-o", bundleFile); code != 0 {
		t.Fatalf("compile: %s", stderr)
	}
	code, stdout, stderr := promptc(t, "first-launch", "--bundle", bundleFile, "-o", out)
	if code != 0 {
		t.Fatalf("first-launch: %d %s", code, stderr)
	}
	if !strings.Contains(stdout, "wrote "+out+": policy msxf ") || !strings.Contains(stdout, "3 locale(s) x 6 platform(s)") {
		t.Errorf("stdout: %s", stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := firstlaunch.Read(data); err != nil {
		t.Errorf("%s: %v", out, err)
	}

	env, err := os.ReadFile(bundleFile)
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(dir, "changed.json")
	if err := os.WriteFile(changed, []byte(strings.Replace(string(env), `"cooldown_seconds":172800`, `"cooldown_seconds":1`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, file, want string
	}{
		{"missing", filepath.Join(dir, "missing.json"), filepath.Join(dir, "missing.json") + ": no such file"},
		{"not a bundle", "go.mod", "go.mod: bad_bundle: not a bundle envelope"},
		{"its own output", out, out + ": bad_bundle"},
		{"a payload changed after sealing", changed, changed + ": bad_bundle: the payload does not match the envelope's hash"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := promptc(t, "first-launch", "--bundle", c.file, "-o", filepath.Join(dir, "x.json"))
			if code != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q, want 1 and %q", code, stderr, c.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "x.json")); err == nil {
		t.Error("a refused bundle wrote a file")
	}
}
