package wasmhost

import (
	"context"
	"testing"

	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// TestJourneysThroughWasm plays the simulator's journeys on every device
// profile they name through the module (the webview profile on a WASI
// whose poll_oneoff throws): their expectations hold and the compliance
// checks find no fault.
func TestJourneysThroughWasm(t *testing.T) {
	setup(t)
	ctx := context.Background()
	journeys, err := journey.LoadDir("../testdata/journeys")
	if err != nil {
		t.Fatal(err)
	}
	policy := check.NewPolicy(bundles["reference"])
	webview, err := Compile(ctx, wasmtest.Read(t, wasmtest.Test), Config{WASI: WebviewWASI})
	if err != nil {
		t.Fatal(err)
	}
	defer webview.Close(ctx)
	for _, j := range journeys {
		for _, p := range j.Profiles() {
			t.Run(j.Name+"/"+p.Name, func(t *testing.T) {
				m := module
				if p.Webview {
					m = webview
				}
				in, err := m.Instantiate(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer in.Close(ctx)
				r := journey.Play(j, p, func(req []byte) ([]byte, error) { return in.Decide(ctx, req) }, policy)
				for _, f := range r.Failures {
					t.Error(f)
				}
			})
		}
	}
}
