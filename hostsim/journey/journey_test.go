package journey_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// TestMatrix plays the simulator's own journeys on every device profile
// they name, on the native engine: expectations hold and no compliance
// check fails. (hostsim's tests play them through the module as well.)
func TestMatrix(t *testing.T) {
	bundles := prompttest.Must(t).Bundles
	e, err := engine.New(bundles["reference"])
	if err != nil {
		t.Fatal(err)
	}
	policy := check.NewPolicy(bundles["reference"])
	journeys, err := journey.LoadDir("../testdata/journeys")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range journeys {
		for _, p := range j.Profiles() {
			t.Run(j.Name+"/"+p.Name, func(t *testing.T) {
				r := journey.Play(j, p, func(req []byte) ([]byte, error) { return e.Decide(nil, req), nil }, policy)
				for _, f := range r.Failures {
					t.Error(f)
				}
			})
		}
	}
}

// TestLoadPaths reads files and folders in the order given, reads all it
// can, and reports every path it cannot read with its file:line:col.
func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("name = \"x\"\ndevices = [\"android-33\"]\n\n[[do]]\ndo = \"jump\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	one := "../testdata/journeys/withdraw.toml"
	folder, err := journey.LoadDir("../testdata/journeys")
	if err != nil {
		t.Fatal(err)
	}
	js, err := journey.LoadPaths([]string{one, filepath.Join(dir, "missing.toml"), bad, "../testdata/journeys"})
	if len(js) != 1+len(folder) || js[0].File != one || js[1].File != folder[0].File {
		t.Errorf("%d journeys, want %s and then the folder's %d", len(js), one, len(folder))
	}
	for _, want := range []string{"missing.toml", "bad.toml:5:1", "do[0].do"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("the error %v does not say %q", err, want)
		}
	}
	if _, err := journey.LoadPaths([]string{dir}); err == nil || !strings.Contains(err.Error(), "bad.toml") {
		t.Errorf("a folder with a bad journey: %v", err)
	}
}
