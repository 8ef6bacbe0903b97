package sim

import (
	"math/rand/v2"
	"slices"

	"github.com/jitconsent/jitconsent/hostsim/device"
)

// Scripted is a user who answers from lists, in order, one list per kind
// of prompt; when a list runs out its last answer repeats, and an empty
// list answers yes (accept, allow, switch on). Per-permission lists take
// precedence for rationales, dialogs and settings; per-consent lists, keyed
// "<sensitive>/<purpose>", for consent screens and then for rationales
// that ask that consent.
type Scripted struct {
	Policies     []bool
	Rationales   []bool
	Consents     []bool
	Dialogs      []device.Choice
	Switches     []bool
	PerDialog    map[string][]device.Choice
	PerSwitch    map[string][]bool
	PerRationale map[string][]bool
	PerConsent   map[string][]bool

	n map[string]int // answers given, per list
}

func next[T any](u *Scripted, key string, list []T, yes T) T {
	if u.n == nil {
		u.n = map[string]int{}
	}
	if len(list) == 0 {
		return yes
	}
	i := u.n[key]
	u.n[key]++
	if i >= len(list) {
		i = len(list) - 1
	}
	return list[i]
}

// Policy answers a policy popup.
func (u *Scripted) Policy(*Action) bool { return next(u, "policy", u.Policies, true) }

// Rationale answers a rationale.
func (u *Scripted) Rationale(a *Action) bool {
	if l, ok := u.PerRationale[a.Permission]; ok {
		return next(u, "rationale:"+a.Permission, l, true)
	}
	if l, ok := u.PerConsent[a.Consent()]; ok && a.Consent() != "" {
		return next(u, "consent:"+a.Consent(), l, true)
	}
	return next(u, "rationale", u.Rationales, true)
}

// Consent answers a separate consent screen.
func (u *Scripted) Consent(a *Action) bool {
	if l, ok := u.PerConsent[a.Consent()]; ok {
		return next(u, "consent:"+a.Consent(), l, true)
	}
	return next(u, "consent", u.Consents, true)
}

// Dialog chooses in a system dialog.
func (u *Scripted) Dialog(p string) device.Choice {
	if l, ok := u.PerDialog[p]; ok {
		return next(u, "dialog:"+p, l, device.Allow)
	}
	return next(u, "dialog", u.Dialogs, device.Allow)
}

// Settings says whether the user switches a permission on in the settings.
func (u *Scripted) Settings(p string) bool {
	if l, ok := u.PerSwitch[p]; ok {
		return next(u, "settings:"+p, l, true)
	}
	return next(u, "settings", u.Switches, true)
}

// Random is a user who answers at random from a seed: the same seed gives
// the same answers.
type Random struct {
	r *rand.Rand
	// Yes is the chance of accepting a popup or rationale (0 means 0.7).
	Yes float64
}

// NewRandom returns a random user for a seed.
func NewRandom(seed uint64) *Random {
	return &Random{r: rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))}
}

func (u *Random) yes() bool {
	p := u.Yes
	if p == 0 {
		p = 0.7
	}
	return u.r.Float64() < p
}

// Policy answers a policy popup.
func (u *Random) Policy(*Action) bool { return u.yes() }

// Rationale answers a rationale.
func (u *Random) Rationale(*Action) bool { return u.yes() }

// Consent answers a separate consent screen.
func (u *Random) Consent(*Action) bool { return u.yes() }

// Choices returns the choices a user has in a system dialog, which a
// random user picks from.
func Choices() []device.Choice { return slices.Clone(choices[:]) }

var choices = [...]device.Choice{device.Allow, device.AllowOnce, device.AllowLimited, device.Deny, device.DenyForever, device.Dismiss}

// Dialog chooses in a system dialog.
func (u *Random) Dialog(string) device.Choice { return choices[u.r.IntN(len(choices))] }

// Settings says whether the user switches a permission on.
func (u *Random) Settings(string) bool { return u.r.IntN(2) == 0 }

// Intn is the user's random source, for generating their actions.
func (u *Random) Intn(n int) int { return u.r.IntN(n) }
