//go:build consent_tables

package engine

import (
	"crypto/ed25519"
	"os"
	"reflect"
	"testing"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// TestEmbeddedTables: the tables compiled in (make writes them from
// wasm/bundle.json) are exactly what New makes of that bundle, so the
// module decides as the native engine does; stale tables fail here.
func TestEmbeddedTables(t *testing.T) {
	env, err := os.ReadFile("../wasm/bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	b, hash, err := bundle.OpenEmbedded(env)
	if err != nil {
		t.Fatal(err)
	}
	built, err := NewWith(b, Options{BundleHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public().(ed25519.PublicKey)
	e, err := Embedded(Options{ServiceKeys: []ed25519.PublicKey{key}})
	if err != nil || e == nil {
		t.Fatalf("Embedded: %v, %v", e, err)
	}
	want := *built.tables
	want.b = nil
	if !reflect.DeepEqual(*e.tables, want) {
		t.Fatal("the embedded tables differ from New's for wasm/bundle.json: run make wasm/bundle.json")
	}
	if e.BundleHash() != hash || len(e.serviceKeys) != 1 || e.Bundle() != nil {
		t.Fatalf("hash %s (want %s), %d service keys, bundle %v", e.BundleHash(), hash, len(e.serviceKeys), e.Bundle())
	}
	if _, err := Embedded(Options{BundleHash: "sha256:00"}); err == nil {
		t.Fatal("Embedded took another bundle's hash")
	}
	if _, err := Embedded(Options{ServiceKeys: []ed25519.PublicKey{key[:5]}}); err == nil {
		t.Fatal("Embedded took a service key of 5 bytes")
	}
}
