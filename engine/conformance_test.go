package engine_test

import (
	"testing"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/conformance"
)

// nativeDecide runs the conformance journeys on the native engine.
func nativeDecide(t testing.TB) conformance.Decide {
	engines := map[string]*engine.Engine{
		"reference": newEngine(t, "reference"),
		"revision":  newEngine(t, "revision"),
	}
	return func(name string, req []byte) ([]byte, error) {
		return engines[name].Decide(nil, req), nil
	}
}

// TestConformance runs every journey of testdata/conformance natively.
// The wasm module runs the same files (hostsim and wasm/js).
func TestConformance(t *testing.T) {
	journeys, err := conformance.Load("testdata/conformance")
	if err != nil {
		t.Fatal(err)
	}
	decide := nativeDecide(t)
	for _, j := range journeys {
		t.Run(j.Name, func(t *testing.T) {
			for _, err := range conformance.Check(j, decide) {
				t.Error(err)
			}
		})
	}
}

// TestStateCacheChangesNothing plays every journey with a state cache and
// requires the answers without one, byte for byte; the cache must hit.
func TestStateCacheChangesNothing(t *testing.T) {
	journeys, err := conformance.Load("testdata/conformance")
	if err != nil {
		t.Fatal(err)
	}
	plain := nativeDecide(t)
	engines := map[string]*engine.Engine{"reference": newEngine(t, "reference"), "revision": newEngine(t, "revision")}
	for _, j := range journeys {
		caches := map[string]*engine.StateCache{"reference": {}, "revision": {}}
		got, err := conformance.Play(j, func(name string, req []byte) ([]byte, error) {
			return engines[name].DecideCached(nil, req, caches[name]), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want, err := conformance.Play(j, plain)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if string(got[i].Response) != string(want[i].Response) {
				t.Errorf("%s step %d: with the cache\n%s\nwithout\n%s", j.Name, i+1, got[i].Response, want[i].Response)
			}
		}
	}
}
