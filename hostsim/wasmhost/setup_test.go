package wasmhost

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// TestMain removes the modules wasmtest builds when the tests end.
func TestMain(m *testing.M) { wasmtest.Main(m) }

var (
	setupOnce sync.Once
	module    *Module
	setupErr  error
	bundles   map[string]*bundle.Bundle // compiled from source, as the native engine sees them
	envelopes map[string][]byte         // the same, sealed and signed with the test key
)

// setup compiles the test module (the shipped one, also trusting the test
// key of hostsim/testdata/keys) and the bundles, once.
func setup(t testing.TB) {
	t.Helper()
	wasm := wasmtest.Read(t, wasmtest.Test)
	setupOnce.Do(func() {
		if module, setupErr = Compile(context.Background(), wasm, Config{CacheDir: cacheDir()}); setupErr != nil {
			return
		}
		c, err := prompttest.Load()
		if err != nil {
			setupErr = err
			return
		}
		bundles, envelopes = c.Bundles, c.Envelopes
	})
	if setupErr != nil {
		t.Fatal(setupErr)
	}
}

// cacheDir keeps wazero's compiled code between test runs.
func cacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return dir + "/jitconsent-wazero"
}

func instance(t testing.TB) *Instance {
	t.Helper()
	setup(t)
	in, err := module.Instantiate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(context.Background()) })
	return in
}

func nativeEngine(t testing.TB, name string) *engine.Engine {
	t.Helper()
	setup(t)
	root, err := prompttest.Root()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := prompts.ReadPublicKey(filepath.Join(root, wasmtest.ServiceKey))
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.NewWith(bundles[name], engine.Options{BundleHash: bundleHash(t, name), ServiceKeys: []ed25519.PublicKey{pub}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// bundleHash is the content hash of a bundle's envelope, which the
// module's receipts name.
func bundleHash(t testing.TB, name string) string {
	t.Helper()
	setup(t)
	payload, err := bundle.Payload(envelopes[name])
	if err != nil {
		t.Fatal(err)
	}
	return bundle.Hash(payload)
}

// moduleRuntime is the module's runtime for the conformance runner, which
// checks that every receipt names the hash of its bundle.
func moduleRuntime(t testing.TB, decide conformance.Decide) conformance.Runtime {
	hashes := map[string]string{}
	for _, name := range []string{"reference", "revision", "minor"} {
		hashes[name] = bundleHash(t, name)
	}
	return conformance.Runtime{Decide: decide, Hashes: hashes}
}

// wasmDecide runs the conformance journeys on instances of a module: one
// with the embedded (reference) bundle, one that loaded the revision, one
// that loaded the revision declared minor.
func wasmDecide(t testing.TB, m *Module) conformance.Decide {
	t.Helper()
	ctx := context.Background()
	instances := map[string]*Instance{}
	for _, name := range []string{"reference", "revision", "minor"} {
		in, err := m.Instantiate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { in.Close(ctx) })
		instances[name] = in
	}
	for _, name := range []string{"revision", "minor"} {
		if out, err := instances[name].LoadBundle(ctx, envelopes[name]); err != nil || !bytes.Contains(out, []byte(`"ok":true`)) {
			t.Fatalf("load the %s bundle: %v %s", name, err, out)
		}
	}
	return func(name string, req []byte) ([]byte, error) { return instances[name].Decide(ctx, req) }
}
