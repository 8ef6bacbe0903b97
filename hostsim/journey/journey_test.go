package journey_test

import (
	"testing"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// TestMatrix plays the simulator's own journeys on every device profile
// they name, on the native engine: expectations hold and no compliance
// check fails. (hostsim's tests play them through the module as well.)
func TestMatrix(t *testing.T) {
	bundles := prompttest.Must(t).Bundles
	e, err := engine.New(bundles["reference"])
	if err != nil {
		t.Fatal(err)
	}
	policy := check.NewPolicy(bundles["reference"])
	journeys, err := journey.LoadDir("../testdata/journeys")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range journeys {
		for _, p := range j.Profiles() {
			t.Run(j.Name+"/"+p.Name, func(t *testing.T) {
				r := journey.Play(j, p, func(req []byte) ([]byte, error) { return e.Decide(nil, req), nil }, policy)
				for _, f := range r.Failures {
					t.Error(f)
				}
			})
		}
	}
}
