package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// The screens a policy version can show, and their text hashes, computed
// from a compiled bundle's texts as engine/CONTRACT.md ("Receipts")
// defines a receipt's text: the SHA-256 of the texts shown together, in
// order, each followed by a newline. This is written from the contract and
// the bundle format, not from the engine's code, so that a test holding
// the two against each other (every receipt of every conformance case)
// checks both. docs/RECORDS.md lists the texts of each screen by their
// bundle keys.

// Screen kinds.
const (
	ScreenPolicyFirst   = "policy_first"   // the first-run privacy popup
	ScreenPolicyMajor   = "policy_major"   // a major update's popup, which blocks
	ScreenPolicyMinor   = "policy_minor"   // a minor update's popup
	ScreenRationale     = "rationale"      // a rationale with two buttons (every platform but iOS)
	ScreenPrePermission = "pre_permission" // iOS: the rationale with one button on to the system dialog
	ScreenConsent       = "consent"        // a separate-consent screen
)

// Screen is one screen a version can show in one locale: the texts as
// shown, in the order hashed, and their hash.
type Screen struct {
	Kind string `json:"kind"`
	// After is, for an update's popup, the version its lines of change
	// start after ("" for all of them).
	After      string   `json:"after,omitempty"`
	Scenario   string   `json:"scenario,omitempty"`
	Step       string   `json:"step,omitempty"`
	Permission string   `json:"permission,omitempty"`
	Sensitive  string   `json:"sensitive,omitempty"` // the separate consent the ask carries, if any
	Purpose    string   `json:"purpose,omitempty"`
	Texts      []string `json:"texts"`
	Hash       string   `json:"hash"` // SHA-256 hex of the texts, each followed by "\n"
}

// Title returns the screen's first text, its title.
func (s *Screen) Title() string {
	if len(s.Texts) == 0 {
		return ""
	}
	return s.Texts[0]
}

// ScreenSet is every screen one bundle can show in one locale.
type ScreenSet struct {
	Policy, Version, Locale string
	Screens                 []Screen
	byHash                  map[string][]int
}

// TextHash returns the hash of texts shown together: the SHA-256, in hex,
// of each text followed by a newline.
func TextHash(texts ...string) string {
	h := sha256.New()
	for _, t := range texts {
		h.Write([]byte(t))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Screens computes the screens the active version of b can show in
// locale, each with its texts and their hash:
//
//   - the policy popup, first-run: policy.title, policy.body, then for
//     each of policy.links its title's text and its URL in the locale,
//     then policy.accept, policy.decline;
//   - an update's popup, major or minor, once for each version the lines
//     of change may start after: policy.update.title,
//     policy.update.major (or .minor), the lines of change of every
//     later version up to the active one (history[i].changes[j].text, in
//     order), the links as above, policy.update.accept,
//     policy.update.decline;
//   - for each permission a step asks: its rationale
//     (rationale.title:<permission>, the body, the refusal,
//     rationale.accept, rationale.decline), where the body is the ask's
//     purpose text, followed, when the ask carries a separate consent, by
//     a newline and rationale.separate:<sensitive>/<purpose>; and its iOS
//     pre-permission screen (rationale.title:<permission>, the purpose
//     text alone, the refusal, rationale.accept, "": one button);
//   - for each separate consent a step asks, on its own or with a
//     permission: its consent screen (consent.title:<sensitive>, the body
//     as above, the refusal, consent.accept, consent.decline).
func Screens(b *bundle.Bundle, locale string) (*ScreenSet, error) {
	texts := b.Texts[locale]
	if texts == nil {
		return nil, fmt.Errorf("the bundle of %s %s has no texts in %s", b.Policy.ID, b.Policy.Version, locale)
	}
	var missing []string
	t := func(key string) string {
		s, ok := texts[key]
		if !ok {
			missing = append(missing, key)
		}
		return s
	}
	set := &ScreenSet{Policy: b.Policy.ID, Version: b.Policy.Version, Locale: locale, byHash: map[string][]int{}}
	add := func(s Screen) {
		s.Hash = TextHash(s.Texts...)
		for _, i := range set.byHash[s.Hash] {
			if o := &set.Screens[i]; o.Kind == s.Kind && o.Scenario == s.Scenario && o.Step == s.Step && o.Permission == s.Permission && o.Sensitive == s.Sensitive && o.Purpose == s.Purpose {
				return // the same screen again (an update's lines from two starting points alike)
			}
		}
		set.byHash[s.Hash] = append(set.byHash[s.Hash], len(set.Screens))
		set.Screens = append(set.Screens, s)
	}

	var links []string
	for _, l := range b.Policy.Links {
		links = append(links, t(l.Title), l.URLs[locale])
	}
	add(Screen{Kind: ScreenPolicyFirst, Texts: concat([]string{t("policy.title"), t("policy.body")}, links, []string{t("policy.accept"), t("policy.decline")})})
	active := len(b.History) - 1
	for after := -1; after < active; after++ {
		var lines []string
		for i := after + 1; i <= active; i++ {
			for _, c := range b.History[i].Changes {
				lines = append(lines, t(c.Text))
			}
		}
		since := ""
		if after >= 0 {
			since = b.History[after].Version
		}
		for _, pop := range []struct{ kind, body string }{{ScreenPolicyMajor, "policy.update.major"}, {ScreenPolicyMinor, "policy.update.minor"}} {
			add(Screen{Kind: pop.kind, After: since, Texts: concat([]string{t("policy.update.title"), t(pop.body)}, lines, links,
				[]string{t("policy.update.accept"), t("policy.update.decline")})})
		}
	}

	for _, sc := range b.Scenarios {
		for _, st := range sc.Steps {
			asks := append(append([]bundle.StepPermission(nil), st.Consents...), st.Permissions...)
			for _, sp := range asks {
				purpose, refusal := t(sp.Purpose), t(sp.Refusal)
				body := purpose
				if sp.ConsentPurpose != "" {
					body += "\n" + t("rationale.separate:"+sp.Sensitive+"/"+sp.ConsentPurpose)
				}
				base := Screen{Scenario: sc.ID, Step: st.ID, Permission: sp.ID, Sensitive: sp.Sensitive, Purpose: sp.ConsentPurpose}
				if sp.ID != "" {
					s := base
					s.Kind = ScreenRationale
					s.Texts = []string{t("rationale.title:" + sp.ID), body, refusal, t("rationale.accept"), t("rationale.decline")}
					add(s)
					s = base
					s.Kind = ScreenPrePermission
					s.Texts = []string{t("rationale.title:" + sp.ID), purpose, refusal, t("rationale.accept"), ""}
					add(s)
				}
				if sp.ConsentPurpose != "" {
					s := base
					s.Kind = ScreenConsent
					s.Texts = []string{t("consent.title:" + sp.Sensitive), body, refusal, t("consent.accept"), t("consent.decline")}
					add(s)
				}
			}
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the bundle of %s %s lacks texts in %s: %s", b.Policy.ID, b.Policy.Version, locale, strings.Join(missing, ", "))
	}
	return set, nil
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Match returns the screen whose hash is the receipt's text and which
// shows what the receipt records: a popup for a policy receipt; for a
// rationale or permission receipt, the rationale (the pre-permission
// screen on iOS) of its permission in its step, carrying its separate
// consent if it names one; for a consent receipt, the consent screen of
// its separate consent in its step.
func (set *ScreenSet) Match(r *Receipt) (*Screen, error) {
	idxs := set.byHash[r.Text]
	if len(idxs) == 0 {
		return nil, fmt.Errorf("text %s is none of the %d screens %s %s shows in %s", short(r.Text), len(set.Screens), set.Policy, set.Version, set.Locale)
	}
	var fits []string
	for _, i := range idxs {
		s := &set.Screens[i]
		if s.fits(r) {
			return s, nil
		}
		fits = append(fits, s.describe())
	}
	return nil, fmt.Errorf("text %s is the %s, not a screen of what the receipt records (%s)", short(r.Text), strings.Join(fits, " and the "), describeAsk(r))
}

func (s *Screen) fits(r *Receipt) bool {
	switch r.Kind {
	case "policy":
		return s.Kind == ScreenPolicyFirst || s.Kind == ScreenPolicyMajor || s.Kind == ScreenPolicyMinor
	case "rationale", "permission":
		want := ScreenRationale
		if r.Platform == "ios" {
			want = ScreenPrePermission
		}
		return s.Kind == want && s.Scenario == r.Scenario && s.Step == r.Step && s.Permission == r.Permission &&
			(r.Sensitive == "" || s.Sensitive == r.Sensitive && s.Purpose == r.Purpose)
	case "consent":
		return s.Kind == ScreenConsent && s.Scenario == r.Scenario && s.Step == r.Step && s.Sensitive == r.Sensitive && s.Purpose == r.Purpose &&
			(r.Permission == "" || s.Permission == r.Permission)
	}
	return false
}

func (s *Screen) describe() string {
	switch s.Kind {
	case ScreenPolicyFirst:
		return "first-run policy popup"
	case ScreenPolicyMajor, ScreenPolicyMinor:
		what := strings.TrimPrefix(s.Kind, "policy_") + " update popup"
		if s.After != "" {
			what += " (changes after " + s.After + ")"
		}
		return what
	case ScreenConsent:
		return "consent screen of " + s.Sensitive + "/" + s.Purpose + " in " + s.Scenario + "/" + s.Step
	}
	what := strings.ReplaceAll(s.Kind, "_", "-") + " screen of " + s.Permission + " in " + s.Scenario + "/" + s.Step
	return what
}

// describeAsk says what a receipt records, for messages.
func describeAsk(r *Receipt) string {
	var b strings.Builder
	b.WriteString(r.Kind)
	if r.Permission != "" {
		b.WriteString(" " + r.Permission)
	}
	if r.Sensitive != "" {
		b.WriteString(" " + r.Sensitive + "/" + r.Purpose)
	}
	if r.Scenario != "" {
		b.WriteString(" in " + r.Scenario + "/" + r.Step)
	}
	if r.Kind == "rationale" || r.Kind == "permission" {
		b.WriteString(" on " + r.Platform)
	}
	return b.String()
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}
