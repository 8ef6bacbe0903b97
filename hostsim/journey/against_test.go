package journey_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/journey"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// TestCheck: a journey naming what the policy does not have is refused
// where the name is written, with the closest name the policy has; every
// shipped journey passes; a step that only an update bundle has is known
// to a journey that loads that update.
func TestCheck(t *testing.T) {
	bundles := prompttest.Must(t).Bundles
	updates := func(name string) *bundle.Bundle { return bundles[name] }
	f := filepath.Join(t.TempDir(), "typos.toml")
	src := `name = "typos"
devices = ["android-33"]

[[user.permission]]
id = "camra"
rationale = [true]

[[do]]
do = "launch"

[[do]]
do = "enter"
scenario = "loan_aply"
step = "apply"

[[do]]
do = "enter"
scenario = "loan_apply"
step = "aply"

[[do]]
do = "settings"
permission = "locaton"

[expect]
must = ["proceed loan_apply/aply", "shwo_policy"]
never = ["block camra", "show_consent biometrics/loan_identiy"]
sdks = ["jpsuh"]
`
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	j, err := journey.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	var l errcode.List
	if err := j.Check(bundles["reference"], updates); !errors.As(err, &l) {
		t.Fatalf("got %v, want a list of problems", err)
	}
	got := l.Error()
	for _, want := range []string{
		"typos.toml:5:1: unknown_reference: user.permission[0].id: no permission \"camra\" in policy msxf: did you mean camera?",
		"typos.toml:13:1: unknown_reference: do[1].scenario: no scenario \"loan_aply\" in policy msxf: did you mean loan_apply?",
		"typos.toml:19:1: unknown_reference: do[2].step: no step \"loan_apply/aply\" in policy msxf: did you mean loan_apply/apply?",
		"do[3].permission: no permission \"locaton\" in policy msxf: did you mean location?",
		"expect.must[0]: no step \"loan_apply/aply\"",
		"expect.must[1]: \"shwo_policy\" is not an action",
		"expect.never[0]: no permission or scenario \"camra\"",
		"expect.never[1]: no separate consent \"biometrics/loan_identiy\" in policy msxf: did you mean biometrics/loan_identity?",
		"expect.sdks[0]: no SDK \"jpsuh\" in policy msxf: did you mean jpush?",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
	if len(l) != 9 {
		t.Errorf("%d problems, want 9:\n%s", len(l), got)
	}

	for _, dir := range []string{"../testdata/journeys", "../../examples/journeys"} {
		js, err := journey.LoadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range js {
			if err := j.Check(bundles["reference"], updates); err != nil {
				t.Errorf("%s: %v", j.File, err)
			}
		}
	}
}

// TestCheckUpdateSteps: a step only an update bundle has is unknown to a
// journey that does not load that update, and known to one that does.
func TestCheckUpdateSteps(t *testing.T) {
	ref := prompttest.Must(t).Bundles["reference"]
	newer := *ref
	newer.Scenarios = append(slices.Clone(ref.Scenarios), bundle.Scenario{ID: "later", Steps: []bundle.Step{{ID: "only"}}})
	updates := func(name string) *bundle.Bundle {
		if name == "revision" {
			return &newer
		}
		return nil
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name, ops string
		ok        bool
	}{
		{"without the update", "[[do]]\ndo = \"enter\"\nscenario = \"later\"\nstep = \"only\"\n", false},
		{"after the update", "[[do]]\ndo = \"update\"\nbundle = \"revision\"\n\n[[do]]\ndo = \"enter\"\nscenario = \"later\"\nstep = \"only\"\n", true},
	} {
		f := filepath.Join(dir, "j.toml")
		if err := os.WriteFile(f, []byte("name = \"x\"\ndevices = [\"android-33\"]\n\n"+c.ops), 0o644); err != nil {
			t.Fatal(err)
		}
		j, err := journey.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Check(ref, updates); (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestFailedExpectationShowsScreens: a failed expectation says what the
// run showed instead, in order, so that a reader sees where it went.
func TestFailedExpectationShowsScreens(t *testing.T) {
	newEngine, policy := native(t)
	f := filepath.Join(t.TempDir(), "j.toml")
	src := "name = \"x\"\ndevices = [\"android-33\"]\n\n[user]\npolicy = [true]\n\n[[do]]\ndo = \"launch\"\n\n[[do]]\ndo = \"enter\"\nscenario = \"repayment\"\nstep = \"repay\"\n\n[expect]\nmust = [\"block camera\"]\nnever = [\"show_policy\"]\n"
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	j, err := journey.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	p, err := device.Lookup("android-33")
	if err != nil {
		t.Fatal(err)
	}
	r := journey.Play(j, p, newEngine(), policy)
	got := strings.Join(r.Failures, "\n")
	for _, want := range []string{
		"expected block camera, never shown; the screens shown: show_policy first, proceed repayment/repay",
		"shown show_policy, which must never be; the screens shown: show_policy first, proceed repayment/repay",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
}

// TestCheckPrivacy: WeChat's privacy agreement is answered as a dialog
// named privacy, which is no permission of the policy and no typo.
func TestCheckPrivacy(t *testing.T) {
	f := filepath.Join(t.TempDir(), "j.toml")
	src := "name = \"x\"\ndevices = [\"wechat\"]\n\n[[user.permission]]\nid = \"privacy\"\ndialog = [\"allow\"]\n\n[[do]]\ndo = \"launch\"\n"
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	j, err := journey.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Check(prompttest.Must(t).Bundles["reference"], nil); err != nil {
		t.Error(err)
	}
}
