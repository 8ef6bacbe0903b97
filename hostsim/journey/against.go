package journey

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/vocab"
	"github.com/jitconsent/jitconsent/internal/similar"
	"github.com/jitconsent/jitconsent/prompts"
)

// known is what a policy has that a journey may name: its steps, the
// permissions it declares, the separate consents its steps ask, its SDKs.
type known struct {
	steps    map[string]bool // "scenario/step"
	scens    map[string]bool
	perms    map[string]bool
	consents map[string]bool // "sensitive/purpose"
	sdks     map[string]bool
}

func (k *known) add(b *bundle.Bundle) {
	for _, sc := range b.Scenarios {
		k.scens[sc.ID] = true
		for _, st := range sc.Steps {
			k.steps[sc.ID+"/"+st.ID] = true
			for _, sp := range append(slices.Clone(st.Consents), st.Permissions...) {
				if sp.Separate() {
					k.consents[sp.Sensitive+"/"+sp.ConsentPurpose] = true
				}
			}
		}
	}
	for _, p := range b.Permissions {
		k.perms[p.ID] = true
	}
	for _, s := range b.SDKs {
		k.sdks[s.ID] = true
	}
}

// Check holds the journey to the policy it runs on: every scenario, step,
// permission, separate consent and SDK it names, in its ops, its user's
// answers and its expectations, must be one the bundle has, or one of the
// update bundles it loads (update names one, as prompttest.Updates does;
// update returns it, nil if unknown). So that a misspelt name is an error
// at its file:line:col when the journey is loaded, not a compliance fault
// or a silent pass at run time.
func (j *Journey) Check(b *bundle.Bundle, update func(name string) *bundle.Bundle) error {
	k := &known{steps: map[string]bool{}, scens: map[string]bool{}, perms: map[string]bool{}, consents: map[string]bool{}, sdks: map[string]bool{}}
	k.add(b)
	for _, op := range j.Do {
		if op.Do == "update" && update != nil {
			if ub := update(op.Bundle); ub != nil {
				k.add(ub)
			}
		}
	}
	var probs errcode.List
	bad := func(field, what, name string, have map[string]bool) {
		probs = append(probs, errcode.Error{Pos: j.position(field), Code: prompts.CodeUnknownReference, Field: field,
			Message: fmt.Sprintf("no %s %q in policy %s%s", what, name, b.Policy.ID, suggest(name, have))})
	}
	for i, op := range j.Do {
		key := fmt.Sprintf("do[%d]", i)
		if op.Scenario != "" && !k.scens[op.Scenario] {
			bad(key+".scenario", "scenario", op.Scenario, k.scens)
		} else if op.Scenario != "" && op.Step != "" && !k.steps[op.Scenario+"/"+op.Step] {
			bad(key+".step", "step", op.Scenario+"/"+op.Step, k.steps)
		}
		if op.Permission != "" && !k.perms[op.Permission] && !(op.Do == "withdraw" && op.Permission == "policy") {
			bad(key+".permission", "permission", op.Permission, k.perms)
		}
		if op.Sensitive != "" && op.Purpose != "" && !k.consents[op.Sensitive+"/"+op.Purpose] {
			bad(key+".purpose", "separate consent", op.Sensitive+"/"+op.Purpose, k.consents)
		}
	}
	for i, p := range j.User.Permissions {
		if !k.perms[p.ID] && p.ID != "privacy" { // privacy: WeChat's privacy agreement (FORMAT.md)
			bad(fmt.Sprintf("user.permission[%d].id", i), "permission", p.ID, k.perms)
		}
	}
	for i, s := range j.User.Separate {
		if !k.consents[s.ID] {
			bad(fmt.Sprintf("user.separate[%d].id", i), "separate consent", s.ID, k.consents)
		}
	}
	for name, list := range map[string][]string{"expect.must": j.Expect.Must, "expect.never": j.Expect.Never} {
		for i, want := range list {
			field := fmt.Sprintf("%s[%d]", name, i)
			words := strings.Fields(want)
			if len(words) == 0 {
				continue
			}
			if _, ok := vocab.ParseAction(words[0]); !ok {
				probs = append(probs, errcode.Error{Pos: j.position(field), Code: prompts.CodeBadValue, Field: field,
					Message: fmt.Sprintf("%q is not an action: one of %s", words[0], strings.Join(vocab.Names(vocab.NumActions), ", "))})
				continue
			}
			for _, w := range words[1:] {
				switch {
				case strings.Contains(w, "="), w == "first", w == "major", w == "minor", w == "special":
				case strings.Contains(w, "/"):
					sens, _, _ := strings.Cut(w, "/")
					if _, isConsent := vocab.ParseSensitive(sens); isConsent {
						if !k.consents[w] {
							bad(field, "separate consent", w, k.consents)
						}
					} else if !k.steps[w] {
						bad(field, "step", w, k.steps)
					}
				case k.perms[w] || k.scens[w]: // a scenario alone matches its steps, as a prefix
				case isSensitive(w):
				case isPermissionWord(w):
					both := map[string]bool{}
					for n := range k.perms {
						both[n] = true
					}
					for n := range k.scens {
						both[n] = true
					}
					bad(field, "permission or scenario", w, both)
				}
			}
		}
	}
	for name, list := range map[string][]string{"expect.sdks": j.Expect.SDKs, "expect.no_sdks": j.Expect.NoSDKs} {
		for i, s := range list {
			if !k.sdks[s] {
				bad(fmt.Sprintf("%s[%d]", name, i), "SDK", s, k.sdks)
			}
		}
	}
	if len(probs) == 0 {
		return nil
	}
	sort.SliceStable(probs, func(a, c int) bool { return probs[a].Pos.Line < probs[c].Pos.Line })
	return probs
}

func isSensitive(w string) bool {
	_, ok := vocab.ParseSensitive(w)
	return ok
}

// isPermissionWord says whether a word of an expectation names a
// permission: one of the vocabulary's, or a word shaped like one (so
// that a misspelt permission is caught, not taken for a settings page).
func isPermissionWord(w string) bool {
	if _, ok := vocab.ParsePermission(w); ok {
		return true
	}
	for _, c := range w {
		if !(c >= 'a' && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}

// suggest is ": did you mean X?" for the closest name, or the list of
// names when none is close.
func suggest(name string, have map[string]bool) string {
	var names []string
	for n := range have {
		names = append(names, n)
	}
	sort.Strings(names)
	best, dist := "", len(name)/3+2
	for _, n := range names {
		if d := similar.Distance(name, n); d < dist {
			best, dist = n, d
		}
	}
	if best != "" {
		return ": did you mean " + best + "?"
	}
	if len(names) > 12 {
		names = append(names[:12], "...")
	}
	return " (it has " + strings.Join(names, ", ") + ")"
}
