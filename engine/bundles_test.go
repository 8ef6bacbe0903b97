package engine_test

import (
	"sync"
	"testing"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/conformance"
	"github.com/jitconsent/jitconsent/prompts"
)

// The engine's tests decide on the shipped reference policy and on the
// example revision of the compiler's test data, compiled from source here
// so that they never go stale.
var (
	bundlesOnce sync.Once
	bundles     map[string]*bundle.Bundle
	bundlesErr  error
)

func compiled(t testing.TB, name string) *bundle.Bundle {
	t.Helper()
	bundlesOnce.Do(func() { bundles, bundlesErr = conformance.Bundles("..") })
	if bundlesErr != nil {
		t.Fatal(bundlesErr)
	}
	b := bundles[name]
	if b == nil {
		t.Fatalf("no bundle %q", name)
	}
	return b
}

// loadReference compiles the shipped policy, for examples.
func loadReference() (*bundle.Bundle, error) {
	p, err := prompts.Load([]string{"../prompts/msxf"}, []string{"../locales"})
	if err != nil {
		return nil, err
	}
	return prompts.Compile(p)
}

func newEngine(t testing.TB, name string) *engine.Engine {
	t.Helper()
	e, err := engine.New(compiled(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return e
}
