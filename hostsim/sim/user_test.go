package sim_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// TestScripted: a scripted user answers from its lists in order, repeats
// a list's last answer, says yes when a list is empty, and prefers a
// permission's own list.
func TestScripted(t *testing.T) {
	u := &sim.Scripted{
		Policies:     []bool{false, true},
		Dialogs:      []device.Choice{device.Deny, device.DenyForever},
		Switches:     []bool{false},
		PerDialog:    map[string][]device.Choice{"camera": {device.AllowOnce}},
		PerRationale: map[string][]bool{"location": {false}},
		PerSwitch:    map[string][]bool{"photos": {true, false}},
	}
	rat := func(p string) *sim.Action { return &sim.Action{Type: "show_rationale", Permission: p} }
	var got []any
	for range 3 {
		got = append(got, u.Policy(&sim.Action{}), u.Rationale(rat("camera")), u.Rationale(rat("location")),
			u.Dialog("location"), u.Dialog("camera"), u.Settings("contacts"), u.Settings("photos"))
	}
	want := []any{
		false, true, false, device.Deny, device.AllowOnce, false, true,
		true, true, false, device.DenyForever, device.AllowOnce, false, false,
		true, true, false, device.DenyForever, device.AllowOnce, false, false,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("answers\n%v\nwant\n%v", got, want)
	}
}

// TestRandom: a random user's answers are the same for the same seed and
// differ between seeds; its dialog choices are the known ones.
func TestRandom(t *testing.T) {
	answers := func(seed uint64) []any {
		u := sim.NewRandom(seed)
		var out []any
		for range 50 {
			out = append(out, u.Policy(&sim.Action{}), u.Rationale(&sim.Action{}), u.Dialog("camera"), u.Settings("camera"), u.Intn(7))
		}
		return out
	}
	a, b := answers(1), answers(2)
	if !reflect.DeepEqual(a, answers(1)) || reflect.DeepEqual(a, b) {
		t.Error("the same seed gives other answers, or two seeds the same")
	}
	for i := 2; i < len(a); i += 5 {
		c := a[i].(device.Choice)
		if !slices.Contains(sim.Choices(), c) {
			t.Errorf("choice %q", c)
		}
	}
}
