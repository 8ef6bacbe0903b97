package fuzz

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
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
// policy, perms the permissions it asks for, consents the separate consents
// it names ("<sensitive>/<purpose>"). Besides entering steps, launching and
// waiting, the user switches permissions in the settings, withdraws
// permissions, consents or the policy, sets the device's clock ahead or
// back and right again, reinstalls and upgrades; and in one journey in
// eight the app gets a policy update (the example revision, major or
// declared minor), at once or while a screen waits for the user's answer.
func Generate(seed uint64, steps, perms, consents []string) Case {
	r := rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc909))
	profiles := device.Profiles()
	c := Case{Seed: seed, Profile: profiles[r.IntN(len(profiles))], Locale: locales[r.IntN(len(locales))]}
	c.Ops = append(c.Ops, sim.Op{Kind: sim.OpLaunch})
	for n := 2 + r.IntN(9); n > 0; n-- {
		switch x := r.IntN(100); {
		case x < 52:
			sc, st, _ := strings.Cut(steps[r.IntN(len(steps))], "/")
			c.Ops = append(c.Ops, sim.Op{Kind: sim.OpEnter, Scenario: sc, Step: st})
		case x < 62:
			c.Ops = append(c.Ops, sim.Op{Kind: sim.OpLaunch})
		case x < 73:
			waits := []time.Duration{time.Minute, time.Hour, 47 * time.Hour, 49 * time.Hour, 91 * 24 * time.Hour}
			c.Ops = append(c.Ops, sim.Op{Kind: sim.OpWait, Wait: waits[r.IntN(len(waits))]})
		case x < 81:
			c.Ops = append(c.Ops, sim.Op{Kind: sim.OpSettings, Permission: perms[r.IntN(len(perms))], On: r.IntN(2) == 0})
		case x < 90:
			op := sim.Op{Kind: sim.OpWithdraw, Permission: "policy"}
			switch k := r.IntN(6); {
			case k >= 4 && len(consents) > 0:
				op.Permission = ""
				op.Sensitive, op.Purpose, _ = strings.Cut(consents[r.IntN(len(consents))], "/")
			case k >= 2:
				op.Permission = perms[r.IntN(len(perms))]
			}
			c.Ops = append(c.Ops, op)
		case x < 95:
			// A clock set wrong by hand or by a lost network time, or right again.
			offsets := []time.Duration{0, 0, 720 * time.Hour, 49 * time.Hour, -2 * time.Hour}
			c.Ops = append(c.Ops, sim.Op{Kind: sim.OpClock, Offset: offsets[r.IntN(len(offsets))]})
		case x < 98:
			c.Ops = append(c.Ops, sim.Op{Kind: sim.OpReinstall})
		default:
			if c.Profile.Platform == "android" {
				c.Ops = append(c.Ops, sim.Op{Kind: sim.OpUpgrade, Version: "35"})
			}
		}
	}
	// The update comes from a random stream of its own, so that the
	// other ops of a seed are those it had before updates were played.
	// One update a journey: the update bundles carry the same version.
	u := rand.New(rand.NewPCG(seed, 0xbb67ae8584caa73b))
	if u.IntN(8) == 0 {
		names := prompttest.Updates()
		while := append([]string{"", ""}, sim.UpdateWhile()...)
		op := sim.Op{Kind: sim.OpUpdate, Bundle: names[u.IntN(len(names))], While: while[u.IntN(len(while))]}
		c.Ops = slices.Insert(c.Ops, 1+u.IntN(len(c.Ops)), op)
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
	Consents   []bool
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

// Consent answers a separate consent screen.
func (r *Recorder) Consent(a *sim.Action) bool {
	v := r.user.Consent(a)
	r.Consents = append(r.Consents, v)
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
	return &sim.Scripted{Policies: r.Policies, Rationales: r.Rationales, Consents: r.Consents, Dialogs: r.Dialogs, Switches: r.Switches}
}
