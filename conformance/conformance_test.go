package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCases: the carried cases load, each named after its file.
func TestCases(t *testing.T) {
	cases, err := Cases()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 90 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, c := range cases {
		if want := strings.TrimSuffix(filepath.Base(c.File), ".json"); c.Name != want {
			t.Errorf("%s: name %q is not the file's", c.File, c.Name)
		}
	}
}

// TestLoadErrors: a broken case file is reported at its file:line:col.
func TestLoadErrors(t *testing.T) {
	for name, c := range map[string]struct{ content, want string }{
		"syntax":        {"{\n  \"name\": \"x\",\n  \"steps\": [}\n", "x.json:3:13"},
		"type":          {"{\"name\": \"x\",\n\"steps\": 5}", "x.json:2:"},
		"unknown field": {`{"name": "x", "stepz": []}`, `unknown field "stepz"`},
		"no steps":      {`{"name": "x"}`, "x.json: no steps"},
		"two values":    {`{"name": "x", "steps": [{}]} {}`, "more than one JSON value"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "x.json"), []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no conformance cases") {
		t.Errorf("an empty folder: %v", err)
	}
}

// TestCheckFindsDifferences: the runner reports what a response lacks, and
// a broken receipt chain, rather than passing whatever it is given.
func TestCheckFindsDifferences(t *testing.T) {
	c := &Case{
		Name:   "x",
		Bundle: "reference",
		Device: Device{Platform: "android", Version: "33"},
		Now:    "2026-03-01T10:00:00+08:00",
		Steps: []Step{{
			Event:  []byte(`{"type":"launch"}`),
			Expect: Expect{Actions: []string{"show_policy first"}, SDKs: []string{}, Rules: []string{"PRECONSENT"}},
		}},
	}
	answer := func(resp string) Decide {
		return func(string, []byte) ([]byte, error) { return []byte(resp), nil }
	}
	good := `{"actions":[{"type":"show_policy","change":"first"}],"sdks":[],"state":{},"receipts":[],"trace":[{"rule":"PRECONSENT","detail":"d"}]}`
	if errs := Check(c, answer(good)); len(errs) != 0 {
		t.Fatalf("a matching response fails: %v", errs)
	}
	for name, resp := range map[string]string{
		"other action": `{"actions":[{"type":"basic_mode"}],"sdks":[],"state":{},"receipts":[],"trace":[{"rule":"PRECONSENT","detail":"d"}]}`,
		"an SDK":       `{"actions":[{"type":"show_policy","change":"first"}],"sdks":["jpush"],"state":{},"receipts":[],"trace":[{"rule":"PRECONSENT","detail":"d"}]}`,
		"other rule":   `{"actions":[{"type":"show_policy","change":"first"}],"sdks":[],"state":{},"receipts":[],"trace":[{"rule":"JIT","detail":"d"}]}`,
		"no detail":    `{"actions":[{"type":"show_policy","change":"first"}],"sdks":[],"state":{},"receipts":[],"trace":[{"rule":"PRECONSENT","detail":""}]}`,
		"an error":     `{"error":{"code":"bad_json","message":"m"}}`,
		"bad receipt":  `{"actions":[{"type":"show_policy","change":"first"}],"sdks":[],"state":{},"receipts":[{"kind":"policy","answer":"accepted","prev":"","hash":"00"}],"trace":[{"rule":"PRECONSENT","detail":"d"}]}`,
		"not JSON":     `{"actions":`,
	} {
		if errs := Check(c, answer(resp)); len(errs) == 0 {
			t.Errorf("%s: no difference found", name)
		}
	}
}
