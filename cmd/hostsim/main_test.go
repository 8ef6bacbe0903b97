package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain runs the command from the repository root, as make does.
func TestMain(m *testing.M) {
	if err := os.Chdir("../.."); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func hostsimCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunAndReports(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := hostsimCmd(t, "run", "--wasm", "dist/consent-test.wasm",
		"--json", filepath.Join(dir, "r.json"), "--junit", filepath.Join(dir, "r.xml"), "--html", filepath.Join(dir, "r.html"),
		"hostsim/testdata/journeys", "examples/journeys")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "0 failed") || !strings.Contains(out, "PRECONSENT  0") {
		t.Errorf("summary:\n%s", out)
	}
	var js struct {
		Results []struct{ Journey, Device string }
		Failed  int
	}
	data, _ := os.ReadFile(filepath.Join(dir, "r.json"))
	if err := json.Unmarshal(data, &js); err != nil || len(js.Results) == 0 || js.Failed != 0 {
		t.Errorf("JSON report: %v %s", err, data[:min(200, len(data))])
	}
	var ju struct {
		Suites []struct {
			Tests int `xml:"tests,attr"`
		} `xml:"testsuite"`
	}
	data, _ = os.ReadFile(filepath.Join(dir, "r.xml"))
	if err := xml.Unmarshal(data, &ju); err != nil || len(ju.Suites) == 0 {
		t.Errorf("JUnit report: %v", err)
	}
	data, _ = os.ReadFile(filepath.Join(dir, "r.html"))
	if !bytes.Contains(data, []byte(`class="phone"`)) || !bytes.Contains(data, []byte("隐私政策")) {
		t.Error("the HTML report has no phone timeline")
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("name = \"x\"\ndevices = [\"android-33\"]\n\n[[do]]\ndo = \"launch\"\nsceanrio = \"loan_apply\"\n"), 0o644)
	code, _, errOut := hostsimCmd(t, "run", bad)
	if code != 1 || !strings.Contains(errOut, "bad.toml:6:1") || !strings.Contains(errOut, "sceanrio") {
		t.Errorf("a misspelt key: exit %d, %s", code, errOut)
	}
	unknown := filepath.Join(dir, "unknown.toml")
	os.WriteFile(unknown, []byte("name = \"x\"\ndevices = [\"nokia-3310\"]\n\n[[do]]\ndo = \"launch\"\n"), 0o644)
	code, _, errOut = hostsimCmd(t, "run", unknown)
	if code != 1 || !strings.Contains(errOut, "android-33") || !strings.Contains(errOut, "unknown.toml:2") {
		t.Errorf("an unknown profile: exit %d, %s", code, errOut)
	}
	code, _, errOut = hostsimCmd(t, "run", "--wasm", filepath.Join(dir, "missing.wasm"), "hostsim/testdata/journeys")
	if code != 1 || !strings.Contains(errOut, "missing.wasm") {
		t.Errorf("a missing module: exit %d, %s", code, errOut)
	}
	corrupt := filepath.Join(dir, "corrupt.wasm")
	os.WriteFile(corrupt, []byte("\x00asm garbage"), 0o644)
	code, _, errOut = hostsimCmd(t, "run", "--wasm", corrupt, "hostsim/testdata/journeys")
	if code != 1 || !strings.Contains(errOut, "corrupt.wasm") {
		t.Errorf("a corrupt module: exit %d, %s", code, errOut)
	}
}

func TestFuzzFindsNothing(t *testing.T) {
	code, out, errOut := hostsimCmd(t, "fuzz", "--wasm", "dist/consent-test.wasm", "--journeys", "300", "--seed", "7")
	if code != 0 || !strings.Contains(out, "no compliance fault; 0 difference(s)") || !strings.Contains(out, "decisions/s") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
}
