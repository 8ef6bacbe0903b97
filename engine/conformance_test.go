package engine_test

import (
	"testing"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/engine"
)

// nativeDecide runs the conformance cases on the native engine.
func nativeDecide(t testing.TB) conformance.Decide {
	engines := map[string]*engine.Engine{
		"reference": newEngine(t, "reference"),
		"revision":  newEngine(t, "revision"),
		"minor":     newEngine(t, "minor"),
	}
	return func(name string, req []byte) ([]byte, error) {
		return engines[name].Decide(nil, req), nil
	}
}

// TestConformance runs every conformance case natively. The wasm module
// runs the same files (hostsim and wasm/js).
func TestConformance(t *testing.T) {
	cases, err := conformance.Cases()
	if err != nil {
		t.Fatal(err)
	}
	rt := conformance.Runtime{Decide: nativeDecide(t), Hashes: bundleHashes(t)}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			for _, err := range rt.Check(c) {
				t.Error(err)
			}
		})
	}
}

// TestConformanceStateCache plays every case with a state cache and
// requires the answers without one, byte for byte.
func TestConformanceStateCache(t *testing.T) {
	cases, err := conformance.Cases()
	if err != nil {
		t.Fatal(err)
	}
	plain := nativeDecide(t)
	engines := map[string]*engine.Engine{"reference": newEngine(t, "reference"), "revision": newEngine(t, "revision"), "minor": newEngine(t, "minor")}
	for _, c := range cases {
		caches := map[string]*engine.StateCache{"reference": {}, "revision": {}, "minor": {}}
		got, err := conformance.Play(c, func(name string, req []byte) ([]byte, error) {
			return engines[name].DecideCached(nil, req, caches[name]), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want, err := conformance.Play(c, plain)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if string(got[i].Response) != string(want[i].Response) {
				t.Errorf("%s step %d: with the cache\n%s\nwithout\n%s", c.Name, i+1, got[i].Response, want[i].Response)
			}
		}
	}
}
