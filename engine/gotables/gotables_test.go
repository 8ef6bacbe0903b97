package gotables_test

import (
	"bytes"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/gotables"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// TestSource: every compiled bundle's tables are a Go file of
// package engine, behind the build tag, naming the envelope's hash, and
// the same bytes each time (make writes them before every module build).
func TestSource(t *testing.T) {
	c := prompttest.Must(t)
	for name, b := range c.Bundles {
		t.Run(name, func(t *testing.T) {
			env, err := prompts.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			src, err := gotables.Source(env)
			if err != nil {
				t.Fatal(err)
			}
			again, err := gotables.Source(env)
			if err != nil || !bytes.Equal(src, again) {
				t.Fatalf("the tables' source differs from one run to the next (%v)", err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), "tables_gen.go", src, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if f.Name.Name != "engine" || !strings.Contains(string(src), "//go:build "+engine.TablesTag+"\n") {
				t.Fatalf("package %s, or no build tag %s", f.Name.Name, engine.TablesTag)
			}
			payload, _ := bundle.Payload(env)
			if !strings.Contains(string(src), `bundleHash: "`+bundle.Hash(payload)+`"`) {
				t.Fatalf("the tables do not carry the envelope's hash %s", bundle.Hash(payload))
			}
		})
	}
}

// TestSourceBadInput: an envelope whose hash does not hold, or
// whose bundle is not valid, gets no tables.
func TestSourceBadInput(t *testing.T) {
	env, err := prompts.Marshal(prompttest.Must(t).Bundles["reference"])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"payload changed", `"version":"2022-03-29"`, `"version":"2022-03-30"`, "hash"},
		{"not JSON", `{"hash"`, `{hash`, "bundle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := bytes.Replace(env, []byte(tc.from), []byte(tc.to), 1)
			if bytes.Equal(bad, env) {
				t.Fatalf("%s is not in the envelope", tc.from)
			}
			if _, err := gotables.Source(bad); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error about %s", err, tc.want)
			}
		})
	}
}

// TestWriteAfterDecisions: an engine that has decided remembers hashes;
// its tables are not written with them (a hash cache is not a table), and
// Write says so rather than write a broken file.
func TestWriteAfterDecisions(t *testing.T) {
	e, err := engine.New(prompttest.Must(t).Bundles["reference"])
	if err != nil {
		t.Fatal(err)
	}
	if err := gotables.Write(new(bytes.Buffer), e); err != nil {
		t.Fatal(err)
	}
	dev := conformance.Device{Platform: "android", Version: "33"}
	e.Decide(nil, conformance.Request("2026-03-01T10:00:00+08:00", "zh-CN", dev, nil, nil, []byte(`{"type":"launch"}`)))
	if err := gotables.Write(new(bytes.Buffer), e); err == nil || !strings.Contains(err.Error(), "sync.Once") {
		t.Fatalf("got %v, want a refusal to write a used hash cache", err)
	}
}
