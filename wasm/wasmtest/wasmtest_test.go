package wasmtest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

func TestMain(m *testing.M) { wasmtest.Main(m) }

var variants = []wasmtest.Variant{wasmtest.Shipped, wasmtest.Test, wasmtest.Faulty}

// TestVariants asks for each variant from parallel callers: they all get
// the one file, outside the repository, a WebAssembly module; the three
// differ (the test module trusts one key more, the faulty one holds
// faults.go); and a second call does not build again.
func TestVariants(t *testing.T) {
	paths := make([][3]string, len(variants))
	var wg sync.WaitGroup
	for i, v := range variants {
		for k := range 3 {
			wg.Go(func() { paths[i][k] = wasmtest.Path(t, v) })
		}
	}
	wg.Wait()
	root, err := prompttest.Root()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]wasmtest.Variant{}
	for i, v := range variants {
		p := paths[i][0]
		if paths[i][1] != p || paths[i][2] != p {
			t.Errorf("%s: parallel callers got %q", v, paths[i])
		}
		if filepath.Base(p) != string(v)+".wasm" {
			t.Errorf("%s is built as %s", v, p)
		}
		if rel, err := filepath.Rel(root, p); err == nil && filepath.IsLocal(rel) {
			t.Errorf("%s is built inside the repository: %s", v, p)
		}
		data := wasmtest.Read(t, v)
		if !bytes.HasPrefix(data, []byte("\x00asm")) {
			t.Errorf("%s is not WebAssembly", v)
		}
		if w, dup := seen[string(data)]; dup {
			t.Errorf("%s and %s are the same module", w, v)
		}
		seen[string(data)] = v
		start := time.Now()
		wasmtest.Path(t, v)
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("%s: a second call took %s", v, d)
		}
	}
}

// TestBundle: the bundle file is the reference policy compiled from
// source, sealed as `promptc compile` seals it.
func TestBundle(t *testing.T) {
	want, err := prompts.Marshal(prompttest.Must(t).Bundles["reference"])
	if err != nil {
		t.Fatal(err)
	}
	file := wasmtest.Bundle(t)
	if filepath.Base(file) != "bundle.json" {
		t.Errorf("the bundle is %s", file)
	}
	got := readFile(t, file)
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not the sealed reference bundle", file)
	}
	if _, err := bundle.OpenUnsigned(got); err != nil {
		t.Errorf("%s does not open: %v", file, err)
	}
}

func readFile(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
