package engine_test

import (
	"crypto/ed25519"
	"path/filepath"
	"testing"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// The engine's tests decide on the shipped reference policy and on the
// example revision of the compiler's test data, compiled from source by
// prompttest so that they never go stale.

func compiled(t testing.TB, name string) *bundle.Bundle {
	t.Helper()
	b := prompttest.Must(t).Bundles[name]
	if b == nil {
		t.Fatalf("no bundle %q", name)
	}
	return b
}

// loadReference compiles the shipped policy, for examples.
func loadReference() (*bundle.Bundle, error) {
	c, err := prompttest.Load()
	if err != nil {
		return nil, err
	}
	return c.Bundles["reference"], nil
}

// newEngine is the engine of a bundle as the test module opens it: its
// receipts name the hash of the bundle's envelope, and it trusts the test
// service key to sign checkpoints.
func newEngine(t testing.TB, name string) *engine.Engine {
	t.Helper()
	e, err := engine.NewWith(compiled(t, name), engine.Options{BundleHash: bundleHash(t, name), ServiceKeys: []ed25519.PublicKey{servicePub(t)}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// servicePub is the test consent-record service's public key.
func servicePub(t testing.TB) ed25519.PublicKey {
	t.Helper()
	pub, err := prompts.ReadPublicKey(filepath.Join(prompttest.Must(t).Root, wasmtest.ServiceKey))
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// bundleHash is the content hash of a bundle's envelope.
func bundleHash(t testing.TB, name string) string {
	t.Helper()
	payload, err := bundle.Payload(prompttest.Must(t).Envelopes[name])
	if err != nil {
		t.Fatal(err)
	}
	return bundle.Hash(payload)
}

// bundleHashes are the hashes of the bundles by name, as conformance
// cases name them.
func bundleHashes(t testing.TB) map[string]string {
	out := map[string]string{}
	for _, name := range []string{"reference", "revision", "minor"} {
		out[name] = bundleHash(t, name)
	}
	return out
}
