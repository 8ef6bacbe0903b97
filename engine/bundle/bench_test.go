package bundle_test

import (
	"crypto/ed25519"
	"path/filepath"
	"testing"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/prompts"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// BenchmarkOpen opens the reference bundle, signed with the test key, the
// ways the module does: OpenEmbedded (its own bundle, on first use) and
// Open (consent_load_bundle: envelope, hash, signature, payload, Validate).
func BenchmarkOpen(b *testing.B) {
	c := prompttest.Must(b)
	env := c.Envelopes["reference"]
	key, err := prompts.ReadPrivateKey(filepath.Join(c.Root, prompttest.TestKey))
	if err != nil {
		b.Fatal(err)
	}
	keys := []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}
	b.Run("embedded", func(b *testing.B) {
		b.SetBytes(int64(len(env)))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := bundle.OpenEmbedded(env); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("signed", func(b *testing.B) {
		b.SetBytes(int64(len(env)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := bundle.Open(env, keys); err != nil {
				b.Fatal(err)
			}
		}
	})
}
