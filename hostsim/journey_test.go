package hostsim

import (
	"context"
	"testing"

	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/wasm/wasmtest"
)

// TestMain removes the modules wasmtest builds when the tests end.
func TestMain(m *testing.M) { wasmtest.Main(m) }

// open opens the engines on a variant of the module, as cmd/hostsim does.
func open(t *testing.T, v wasmtest.Variant, cfg Config) *Engines {
	t.Helper()
	ctx := context.Background()
	cfg.Wasm, cfg.Bundle = wasmtest.Path(t, v), wasmtest.Bundle(t)
	e, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(ctx) })
	return e
}

// TestJourneysThroughWasm plays the simulator's journeys on every device
// profile they name through the test module (the webview profile on a WASI
// whose poll_oneoff throws), compared with the native engine, policy
// updates included: their expectations hold, the compliance checks find no
// fault, and the two engines answer every request the same.
func TestJourneysThroughWasm(t *testing.T) {
	journeys, err := journey.LoadDir("testdata/journeys")
	if err != nil {
		t.Fatal(err)
	}
	e := open(t, wasmtest.Test, Config{Compare: true, Updates: true})
	jobs := Jobs(journeys, false)
	progress := 0
	run := e.Play(context.Background(), jobs, 1, func() { progress++ })
	if len(run.Results) != len(jobs) || progress != len(jobs) {
		t.Fatalf("%d jobs gave %d results and %d progress calls", len(jobs), len(run.Results), progress)
	}
	webview := false
	for i, r := range run.Results {
		if r.Journey != jobs[i].Journey || r.Profile.Name != jobs[i].Profile.Name {
			t.Errorf("result %d is %s on %s, not job %d's", i, r.Journey.Name, r.Profile.Name, i)
		}
		webview = webview || r.Profile.Webview
		for _, f := range r.Failures {
			t.Errorf("%s on %s: %s", r.Journey.Name, r.Profile.Name, f)
		}
	}
	for _, d := range run.Differences {
		t.Errorf("DIFF %s", d)
	}
	if !webview {
		t.Error("no journey ran on the webview profile")
	}
	if run.Decisions == 0 || run.Replaced != 0 || run.Engine != wasmtest.Path(t, wasmtest.Test)+" compared with the native engine" {
		t.Errorf("run: %d decisions, %d replaced, engine %q", run.Decisions, run.Replaced, run.Engine)
	}
}

// TestJobs: a journey runs on the devices it names, or with everyProfile
// on every profile, in the journeys' order.
func TestJobs(t *testing.T) {
	a := &journey.Journey{Name: "a", Devices: []string{"ios-17", "wechat"}}
	b := &journey.Journey{Name: "b", Devices: []string{"all"}}
	all := len(device.Profiles())
	for _, c := range []struct {
		every bool
		want  []string
	}{
		{false, append([]string{"a ios-17", "a wechat"}, names("b", device.Profiles())...)},
		{true, append(names("a", device.Profiles()), names("b", device.Profiles())...)},
	} {
		var got []string
		for _, j := range Jobs([]*journey.Journey{a, b}, c.every) {
			got = append(got, j.Journey.Name+" "+j.Profile.Name)
		}
		if len(got) != len(c.want) || (c.every && len(got) != 2*all) {
			t.Fatalf("every profile %v: %d jobs %q, want %q", c.every, len(got), got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("every profile %v: job %d is %q, want %q", c.every, i, got[i], c.want[i])
			}
		}
	}
}

func names(journey string, ps []device.Profile) []string {
	var out []string
	for _, p := range ps {
		out = append(out, journey+" "+p.Name)
	}
	return out
}
