// Package ledgertest makes receipt chains for tests, benchmarks and load
// generators: valid chains whose texts are screens a bundle really shows,
// and the edits an attacker would make to one (Relink re-seals a chain
// from an edited receipt on, as someone recomputing the hashes would).
// It is a helper beside package ledger, as net/http/httptest is beside
// net/http.
package ledgertest

import (
	"fmt"
	"time"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/ledger"
)

// Journey says whose chain Chain makes.
type Journey struct {
	Bundle       *bundle.Bundle
	BundleHash   string // sha256:<hex> of the bundle's envelope
	Installation string
	Locale       string // one of the bundle's locales
	Platform     string // android, ios...: iOS answers pre-permission screens
	Version      string // the platform version
	Start        time.Time
	Step         time.Duration // between receipts; default one minute
}

// Chain returns a valid chain of n receipts: the policy accepted, then
// the bundle's asks in turn (a rationale accepted and the permission
// granted, a separate consent accepted), with every seventh receipt the
// withdrawal of the permission or consent granted last. Each text is the
// hash of a screen the bundle shows in the locale.
func Chain(j Journey, n int) ([]ledger.Receipt, error) {
	set, err := ledger.Screens(j.Bundle, j.Locale)
	if err != nil {
		return nil, err
	}
	step := j.Step
	if step == 0 {
		step = time.Minute
	}
	var first *ledger.Screen
	var asks []*ledger.Screen
	wantRationale := ledger.ScreenRationale
	if j.Platform == "ios" {
		wantRationale = ledger.ScreenPrePermission
	}
	for i := range set.Screens {
		s := &set.Screens[i]
		switch s.Kind {
		case ledger.ScreenPolicyFirst:
			first = s
		case ledger.ScreenConsent:
			if s.Permission == "" || j.Platform == "ios" {
				asks = append(asks, s)
			}
		case wantRationale:
			asks = append(asks, s)
		}
	}
	if first == nil || len(asks) == 0 {
		return nil, fmt.Errorf("the bundle shows no policy popup or no ask in %s", j.Locale)
	}
	out := make([]ledger.Receipt, 0, n)
	base := ledger.Receipt{V: ledger.Version, Installation: j.Installation, Policy: j.Bundle.Policy.ID, Version: j.Bundle.Policy.Version,
		Bundle: j.BundleHash, Locale: j.Locale, Platform: j.Platform, PlatformVersion: j.Version}
	next := func(r ledger.Receipt) {
		r.Seq = int64(len(out) + 1)
		r.Time = j.Start.Add(time.Duration(len(out)) * step).Format(time.RFC3339)
		if len(out) > 0 {
			r.Prev = out[len(out)-1].RecordedHash
		}
		r.Seal()
		out = append(out, r)
	}
	r := base
	r.Kind, r.Answer, r.Text = "policy", "accepted", first.Hash
	next(r)
	var last ledger.Receipt
	for a := 0; len(out) < n; a++ {
		s := asks[a%len(asks)]
		if len(out)%7 == 6 && last.Kind != "" {
			w := base
			w.Kind, w.Answer, w.Permission = "withdraw", "withdrawn", last.Permission
			if last.Kind == "consent" {
				w.Permission, w.Sensitive, w.Purpose, w.SeparateConsent = "", last.Sensitive, last.Purpose, true
			}
			next(w)
			last = ledger.Receipt{}
			continue
		}
		r := base
		r.Scenario, r.Step, r.Text = s.Scenario, s.Step, s.Hash
		if s.Kind == ledger.ScreenConsent {
			r.Kind, r.Answer, r.Permission = "consent", "accepted", s.Permission
			r.Sensitive, r.Purpose, r.SeparateConsent = s.Sensitive, s.Purpose, true
			next(r)
			last = r
			continue
		}
		r.Kind, r.Answer, r.Permission = "rationale", "accepted", s.Permission
		if s.Sensitive != "" && s.Kind == ledger.ScreenRationale {
			r.Sensitive, r.Purpose, r.SeparateConsent = s.Sensitive, s.Purpose, true
		}
		next(r)
		if len(out) < n {
			r.Kind, r.Answer = "permission", "granted"
			next(r)
			last = r
		}
	}
	return out, nil
}

// Relink re-seals chain[from:] in place, each receipt's prev the hash of
// the one before: what someone who edits a receipt and recomputes the
// later hashes does. Only a checkpoint or anchor from before the edit
// tells such a chain from the true one.
func Relink(chain []ledger.Receipt, from int) {
	for i := from; i < len(chain); i++ {
		if i > 0 {
			chain[i].Prev = chain[i-1].RecordedHash
		}
		chain[i].Seal()
	}
}
