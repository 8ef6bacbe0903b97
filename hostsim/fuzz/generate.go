package fuzz

import (
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

// locales are the locales cases pick from (some fall back).
var locales = [...]string{"zh-CN", "en", "zh-TW", "zh-HK", "en-US", "fr"}

// Generate makes the case of a seed: steps are "scenario/step" names of the
// policy, perms the permissions it asks for.
func Generate(seed uint64, steps, perms []string) Case {
	r := rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc909))
	profiles := device.Profiles()
	c := Case{Seed: seed, Profile: profiles[r.IntN(len(profiles))], Locale: locales[r.IntN(len(locales))]}
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
