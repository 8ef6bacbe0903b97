package engine_test

import (
	"testing"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
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

func newEngine(t testing.TB, name string) *engine.Engine {
	t.Helper()
	e, err := engine.New(compiled(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return e
}
