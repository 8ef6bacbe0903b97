// Package prompttest compiles, for tests and test tools, the bundles that
// conformance cases and simulator journeys name: "reference", the shipped
// policy, "revision", the same with the example revision of
// prompts/testdata/revision (a changed purpose and a new SDK: a major
// change), and "minor", the revision declared a minor change, as a
// bundle could be: the engine follows the bundle's classification, and
// this one lets tests play a minor update end to end. Compiling them from source keeps every runner on the policy as
// it stands. It is a helper beside the compiler, as net/http/httptest is
// beside net/http, so that the engine and the conformance runner need not
// import the compiler.
package prompttest

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/vocab"
	"github.com/jitconsent/jitconsent/prompts"
)

// Names are the bundles this package compiles.
var names = []string{"reference", "revision", "minor"}

// Updates are the names of the bundles that update the reference one, as
// a newer bundle an app loads (consent_load_bundle): the example revision
// and the same declared minor. Both carry the same version, so a host
// loads one of them.
func Updates() []string { return slices.Clone(names[1:]) }

// TestKey is the private key, relative to the repository root, that signs
// test bundles; the test module (make wasm-test) trusts its public half.
const TestKey = "hostsim/testdata/keys/test.key"

// Bundles compiles, from the repository at root, the bundles by name.
func Bundles(root string) (map[string]*bundle.Bundle, error) {
	at := func(p string) string { return filepath.Join(root, p) }
	sources := map[string][2][]string{
		"reference": {{at("prompts/msxf")}, {at("locales")}},
		"revision": {
			{at("prompts/msxf"), at("prompts/testdata/revision/msxf/2023-09-01.toml")},
			{at("locales"), at("prompts/testdata/revision/locales")},
		},
	}
	out := map[string]*bundle.Bundle{}
	for _, name := range names {
		if name == "minor" {
			b := *out["revision"]
			b.History = slices.Clone(b.History)
			b.History[len(b.History)-1].Change = vocab.ChangeMinor.String()
			out[name] = &b
			continue
		}
		src := sources[name]
		p, err := prompts.Load(src[0], src[1])
		if err != nil {
			return nil, err
		}
		if out[name], err = prompts.Compile(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Envelopes seals each bundle and signs it with key, as a release would:
// what consent_load_bundle takes.
func Envelopes(bundles map[string]*bundle.Bundle, key ed25519.PrivateKey) (map[string][]byte, error) {
	out := map[string][]byte{}
	for name, b := range bundles {
		env, err := prompts.Marshal(b)
		if err == nil {
			env, err = bundle.Sign(env, key)
		}
		if err != nil {
			return nil, err
		}
		out[name] = env
	}
	return out, nil
}

// Compiled is the bundles of the repository, compiled once per process,
// and the same signed with the test key.
type Compiled struct {
	Root      string
	Bundles   map[string]*bundle.Bundle
	Envelopes map[string][]byte
}

var (
	once     sync.Once
	compiled *Compiled
	errOnce  error
)

// Load returns the bundles of the repository that holds the working
// directory, compiling them on the first call. Tests of many packages call
// it from their own folder; the root is found by looking upwards for
// go.mod.
func Load() (*Compiled, error) {
	once.Do(func() {
		root, err := Root()
		if err != nil {
			errOnce = err
			return
		}
		c := &Compiled{Root: root}
		if c.Bundles, err = Bundles(root); err != nil {
			errOnce = err
			return
		}
		key, err := prompts.ReadPrivateKey(filepath.Join(root, TestKey))
		if err != nil {
			errOnce = err
			return
		}
		if c.Envelopes, err = Envelopes(c.Bundles, key); err != nil {
			errOnce = err
			return
		}
		compiled = c
	})
	return compiled, errOnce
}

// Must is Load for tests: it fails the test on an error.
func Must(t testing.TB) *Compiled {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Root returns the repository root: the nearest folder at or above the
// working directory that holds go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("prompttest: no go.mod at or above the working directory")
		}
		dir = parent
	}
}
