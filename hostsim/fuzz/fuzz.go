// Package fuzz makes random journeys from a seed (a device, a locale, a
// user and what they do), and shrinks one that breaks a rule to a minimal
// journey file that reproduces it.
package fuzz

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// Case is a random journey.
type Case struct {
	Seed    uint64
	Profile device.Profile
	Locale  string
	Ops     []sim.Op
}

// Locales are the locales cases pick from (some fall back).
var Locales = []string{"zh-CN", "en", "zh-TW", "zh-HK", "en-US", "fr"}

// Generate makes the case of a seed: steps are "scenario/step" names of the
// policy, perms the permissions it asks for.
func Generate(seed uint64, steps, perms []string) Case {
	r := rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc909))
	profiles := device.Profiles()
	c := Case{Seed: seed, Profile: profiles[r.IntN(len(profiles))], Locale: Locales[r.IntN(len(Locales))]}
	c.Ops = append(c.Ops, sim.Op{Kind: sim.OpLaunch})
	for n := 2 + r.IntN(9); n > 0; n-- {
		switch x := r.IntN(100); {
		case x < 55:
			sc, st, _ := strings.Cut(steps[r.IntN(len(steps))], "/")
			c.Ops = append(c.Ops, sim.Op{Kind: sim.OpEnter, Scenario: sc, Step: st})
		case x < 65:
			c.Ops = append(c.Ops, sim.Op{Kind: sim.OpLaunch})
		case x < 77:
			waits := []time.Duration{time.Minute, time.Hour, 47 * time.Hour, 49 * time.Hour, 91 * 24 * time.Hour}
			c.Ops = append(c.Ops, sim.Op{Kind: sim.OpWait, Wait: waits[r.IntN(len(waits))]})
		case x < 85:
			c.Ops = append(c.Ops, sim.Op{Kind: sim.OpSettings, Permission: perms[r.IntN(len(perms))], On: r.IntN(2) == 0})
		case x < 93:
			p := "policy"
			if r.IntN(3) > 0 {
				p = perms[r.IntN(len(perms))]
			}
			c.Ops = append(c.Ops, sim.Op{Kind: sim.OpWithdraw, Permission: p})
		case x < 97:
			c.Ops = append(c.Ops, sim.Op{Kind: sim.OpReinstall})
		default:
			if c.Profile.Platform == "android" {
				c.Ops = append(c.Ops, sim.Op{Kind: sim.OpUpgrade, Version: "35"})
			}
		}
	}
	return c
}

// NewUser is the random user of a case.
func (c *Case) NewUser() *Recorder { return &Recorder{user: sim.NewRandom(c.Seed)} }

// Recorder is a user who answers as another does and remembers the
// answers, so that a run can be replayed by a scripted user.
type Recorder struct {
	user       sim.User
	Policies   []bool
	Rationales []bool
	Dialogs    []device.Choice
	Switches   []bool
}

// Policy answers a policy popup.
func (r *Recorder) Policy(a *sim.Action) bool {
	v := r.user.Policy(a)
	r.Policies = append(r.Policies, v)
	return v
}

// Rationale answers a rationale.
func (r *Recorder) Rationale(a *sim.Action) bool {
	v := r.user.Rationale(a)
	r.Rationales = append(r.Rationales, v)
	return v
}

// Dialog chooses in a system dialog.
func (r *Recorder) Dialog(p string) device.Choice {
	v := r.user.Dialog(p)
	r.Dialogs = append(r.Dialogs, v)
	return v
}

// Settings says whether the user switches a permission on.
func (r *Recorder) Settings(p string) bool {
	v := r.user.Settings(p)
	r.Switches = append(r.Switches, v)
	return v
}

// Script is a scripted user who answers as recorded.
func (r *Recorder) Script() *sim.Scripted {
	return &sim.Scripted{Policies: r.Policies, Rationales: r.Rationales, Dialogs: r.Dialogs, Switches: r.Switches}
}

// Shrink removes ops while the run still fails with the same rule, and
// returns the smallest op list it found. fails replays ops with a fresh
// scripted user and reports the rules broken.
func Shrink(ops []sim.Op, rule string, fails func(ops []sim.Op) []string) []sim.Op {
	has := func(rules []string) bool {
		for _, r := range rules {
			if r == rule {
				return true
			}
		}
		return false
	}
	for changed := true; changed; {
		changed = false
		for i := len(ops) - 1; i >= 0; i-- {
			try := append(append([]sim.Op(nil), ops[:i]...), ops[i+1:]...)
			if len(try) > 0 && has(fails(try)) {
				ops, changed = try, true
			}
		}
	}
	return ops
}

// TOML writes a journey file that replays a case with a recorded user.
func TOML(c *Case, ops []sim.Op, user *sim.Scripted, rule string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name = %q\n", fmt.Sprintf("fuzz seed %d: %s", c.Seed, rule))
	fmt.Fprintf(&b, "description = %q\n", "A journey hostsim fuzz found to break "+rule+", shrunk. It fails until the engine is fixed.")
	fmt.Fprintf(&b, "devices = [%q]\nlocale = %q\n\n[user]\n", c.Profile.Name, c.Locale)
	list := func(name string, n int, item func(int) string) {
		if n == 0 {
			return
		}
		var parts []string
		for i := 0; i < n; i++ {
			parts = append(parts, item(i))
		}
		fmt.Fprintf(&b, "%s = [%s]\n", name, strings.Join(parts, ", "))
	}
	list("policy", len(user.Policies), func(i int) string { return fmt.Sprint(user.Policies[i]) })
	list("rationale", len(user.Rationales), func(i int) string { return fmt.Sprint(user.Rationales[i]) })
	list("dialog", len(user.Dialogs), func(i int) string { return fmt.Sprintf("%q", user.Dialogs[i]) })
	list("settings", len(user.Switches), func(i int) string { return fmt.Sprint(user.Switches[i]) })
	for _, op := range ops {
		fmt.Fprintf(&b, "\n[[do]]\ndo = %q\n", op.Kind)
		if op.Scenario != "" {
			fmt.Fprintf(&b, "scenario = %q\nstep = %q\n", op.Scenario, op.Step)
		}
		if op.Permission != "" {
			fmt.Fprintf(&b, "permission = %q\n", op.Permission)
		}
		if op.Kind == sim.OpWait {
			fmt.Fprintf(&b, "for = %q\n", op.Wait.String())
		}
		if op.Kind == sim.OpSettings {
			fmt.Fprintf(&b, "on = %v\n", op.On)
		}
		if op.Version != "" {
			fmt.Fprintf(&b, "version = %q\n", op.Version)
		}
	}
	return b.String()
}
