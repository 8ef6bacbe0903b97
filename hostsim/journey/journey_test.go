package journey_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/hostsim/sim"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// TestMatrix plays the simulator's own journeys on every device profile,
// as `hostsim matrix` (make run) does, on the native engine: expectations
// hold and no compliance check fails. (hostsim's tests play them through
// the module as well.)
func TestMatrix(t *testing.T) {
	newEngine, policy := native(t)
	journeys, err := journey.LoadDir("../testdata/journeys")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range journeys {
		for _, p := range device.Profiles() {
			t.Run(j.Name+"/"+p.Name, func(t *testing.T) {
				r := journey.Play(j, p, newEngine(), policy)
				for _, f := range r.Failures {
					t.Error(f)
				}
			})
		}
	}
}

// native returns a function that makes the native engine for a run, on
// the reference bundle until an update op loads another of prompttest's
// bundles, and the checks' policy with those updates.
func native(t *testing.T) (func() sim.Engine, *check.Policy) {
	bundles := prompttest.Must(t).Bundles
	engines := map[string]*engine.Engine{}
	updates := map[string]*bundle.Bundle{}
	for name, b := range bundles {
		e, err := engine.New(b)
		if err != nil {
			t.Fatal(err)
		}
		engines[name] = e
		if name != "reference" {
			updates[name] = b
		}
	}
	return func() sim.Engine {
		cur := engines["reference"]
		return sim.Engine{
			Decide: func(req []byte) ([]byte, error) { return cur.Decide(nil, req), nil },
			Load: func(name string) error {
				if engines[name] == nil {
					return fmt.Errorf("no bundle %q", name)
				}
				cur = engines[name]
				return nil
			},
		}
	}, check.NewPolicy(bundles["reference"]).WithUpdates(updates)
}

// TestLoadPaths reads files and folders in the order given, reads all it
// can, and reports every path it cannot read with its file:line:col.
func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("name = \"x\"\ndevices = [\"android-33\"]\n\n[[do]]\ndo = \"jump\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	one := "../testdata/journeys/withdraw.toml"
	folder, err := journey.LoadDir("../testdata/journeys")
	if err != nil {
		t.Fatal(err)
	}
	js, err := journey.LoadPaths([]string{one, filepath.Join(dir, "missing.toml"), bad, "../testdata/journeys"})
	if len(js) != 1+len(folder) || js[0].File != one || js[1].File != folder[0].File {
		t.Errorf("%d journeys, want %s and then the folder's %d", len(js), one, len(folder))
	}
	for _, want := range []string{"missing.toml", "bad.toml:5:1", "do[0].do"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("the error %v does not say %q", err, want)
		}
	}
	if _, err := journey.LoadPaths([]string{dir}); err == nil || !strings.Contains(err.Error(), "bad.toml") {
		t.Errorf("a folder with a bad journey: %v", err)
	}
}

// TestLoadConsentsClockPrior: consent answers, a consent withdrawn, clock
// ops and a prior record load as the simulator's; wrong ones name their
// key.
func TestLoadConsentsClockPrior(t *testing.T) {
	j, err := journey.Load("../testdata/journeys/migration_v1.toml")
	if err != nil {
		t.Fatal(err)
	}
	pr := j.PriorRecord()
	if pr == nil || !pr.Policy || len(pr.Consents) != 1 || !strings.HasPrefix(string(pr.State), `{"v":1,`) {
		t.Errorf("the prior record: %+v", pr)
	}
	dir := t.TempDir()
	write := func(body string) string {
		f := filepath.Join(dir, "j.toml")
		if err := os.WriteFile(f, []byte("name = \"x\"\ndevices = [\"android-33\"]\n"+body), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	j, err = journey.Load(write(`
[[user.separate]]
id = "financial_account/card_binding"
answer = [false, true]

[[do]]
do = "clock"
offset = "-2h"

[[do]]
do = "withdraw"
sensitive = "biometrics"
purpose = "loan_identity"
`))
	if err != nil {
		t.Fatal(err)
	}
	ops := j.Ops()
	if ops[0].Offset != -2*time.Hour || ops[1].Sensitive != "biometrics" || ops[1].Purpose != "loan_identity" || ops[1].Permission != "" {
		t.Errorf("ops %+v", ops)
	}
	if u := j.NewUser(); len(u.PerConsent["financial_account/card_binding"]) != 2 {
		t.Errorf("consent answers %+v", u.PerConsent)
	}
	for body, want := range map[string]string{
		"[[do]]\ndo = \"clock\"\n":                                                                          "do[0]",
		"[[do]]\ndo = \"clock\"\noffset = \"soon\"\n":                                                       "do[0].offset",
		"[[do]]\ndo = \"withdraw\"\nsensitive = \"biometrics\"\n":                                           "do[0]",
		"[[do]]\ndo = \"withdraw\"\npermission = \"camera\"\nsensitive = \"biometrics\"\npurpose = \"x\"\n": "do[0]",
		"[[do]]\ndo = \"withdraw\"\nsensitive = \"faces\"\npurpose = \"x\"\n":                               "do[0].sensitive",
		"[[user.separate]]\nid = \"biometrics\"\nanswer = [true]\n[[do]]\ndo = \"launch\"\n":                "user.separate[0].id",
		"[prior]\nstate = \"none.json\"\n[[do]]\ndo = \"launch\"\n":                                         "prior.state",
		"[prior]\nstate = \"j.toml\"\nconsents = [\"biometrics/x\"]\n[[do]]\ndo = \"launch\"\n":             "prior.state",
		"[prior]\nstate = \"j.toml\"\nconsents = [\"faces/x\"]\n[[do]]\ndo = \"launch\"\n":                  "prior.consents[0]",
		"[prior]\npolicy = true\n[[do]]\ndo = \"launch\"\n":                                                 "prior",
	} {
		if _, err := journey.Load(write(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error naming %s", body, err, want)
		}
	}
}

// TestSummary: actions as journeys name them, with the fields of issue 11.
func TestSummary(t *testing.T) {
	for _, c := range []struct {
		a    sim.Action
		want string
	}{
		{sim.Action{Type: "show_rationale", Permission: "camera", Scenario: "loan_apply", Step: "liveness", Sensitive: "biometrics", Purpose: "loan_identity"}, "show_rationale camera loan_apply/liveness"},
		{sim.Action{Type: "show_consent", Sensitive: "financial_account", Purpose: "card_binding", Scenario: "loan_apply", Step: "bind_card"}, "show_consent financial_account/card_binding loan_apply/bind_card"},
		{sim.Action{Type: "show_consent", Permission: "location", Sensitive: "precise_location", Purpose: "loan_risk", Scenario: "loan_apply", Step: "apply"}, "show_consent precise_location/loan_risk loan_apply/apply permission=location"},
		{sim.Action{Type: "block", Sensitive: "financial_account", Purpose: "card_binding", Scenario: "loan_apply", Step: "bind_card"}, "block financial_account/card_binding loan_apply/bind_card"},
		{sim.Action{Type: "show_policy", Change: "major"}, "show_policy major"},
		{sim.Action{Type: "proceed", Scenario: "mall", Step: "return_voucher", SystemAPIs: []sim.SystemAPI{{Permission: "photos", Access: "picker", API: "wx.chooseMedia"}, {Permission: "contacts", Access: "picker", API: "wx.chooseContact"}}},
			"proceed mall/return_voucher apis=photos:wx.chooseMedia,contacts:wx.chooseContact"},
		{sim.Action{Type: "open_settings", Permission: "install_packages", Special: true, Settings: "android.settings.MANAGE_UNKNOWN_APP_SOURCES"}, "open_settings install_packages special android.settings.MANAGE_UNKNOWN_APP_SOURCES"},
		{sim.Action{Type: "open_settings", Permission: "camera"}, "open_settings camera"},
	} {
		if got := journey.Summary(&c.a); got != c.want {
			t.Errorf("Summary = %q, want %q", got, c.want)
		}
	}
}

// TestLoadUpdates: an update op loads with its bundle and screen, and its
// place is kept for the errors of a module that cannot play it; a missing
// or unknown bundle, an unknown screen, or bundle on another op is an
// error at its file:line:col.
func TestLoadUpdates(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		f := filepath.Join(dir, "u.toml")
		if err := os.WriteFile(f, []byte("name = \"x\"\ndevices = [\"android-33\"]\n"+body), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	file := write(`
[[do]]
do = "launch"

[[do]]
do = "update"
bundle = "minor"
while = "show_rationale"

[[do]]
do = "update"
bundle = "revision"
`)
	j, err := journey.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	ops := j.Ops()
	if ops[1] != (sim.Op{Kind: sim.OpUpdate, Bundle: "minor", While: "show_rationale"}) || ops[2] != (sim.Op{Kind: sim.OpUpdate, Bundle: "revision"}) {
		t.Errorf("ops %+v", ops)
	}
	u := j.Updates()
	if len(u) != 2 || u[0].Pos.String() != file+":9:1" || u[0].Field != "do[1].bundle" || u[1].Pos.Line != 14 || !strings.Contains(u[1].Message, `"revision"`) {
		t.Errorf("the updates' places: %+v", u)
	}
	for body, want := range map[string]string{
		"[[do]]\ndo = \"update\"\n":                                        "u.toml:3:1: type: do[0]: do = \"update\" needs bundle",
		"[[do]]\ndo = \"update\"\nbundle = \"reference\"\n":                "u.toml:5:1: unknown_reference: do[0].bundle: no update bundle \"reference\": the simulator's are revision, minor",
		"[[do]]\ndo = \"update\"\nbundle = \"minor\"\nwhile = \"block\"\n": "u.toml:6:1: bad_value: do[0].while: an update arrives while one of show_policy, show_rationale",
		"[[do]]\ndo = \"launch\"\nbundle = \"minor\"\n":                    "u.toml:3:1: type: do[0]: bundle and while belong to do = \"update\"",
	} {
		if _, err := journey.Load(write(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
}
