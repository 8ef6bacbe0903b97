package prompts

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jitconsent/jitconsent/engine/vocab"
)

// Change is one difference between two versions of a policy.
type Change struct {
	Kind    string // one of changeKinds
	Class   string // one of bundle.ChangeClasses: what section 9 of the policy calls it
	Subject string // the id of what changed: a permission, SDK, data type, recipient...
	Step    string // the step it concerns, "scenario/step", if any
	Purpose string // the message id naming the purpose of the separate consent it concerns, if any
	Detail  string // a technical description for reviewers (the user sees the rendered change.<kind> message)
	Major   bool   // its class is listed in the newer version's [update] major

	about string // for a text change: the message id naming what it is about, or "step:<scenario/step>"
}

func (c Change) String() string {
	sev := "minor"
	if c.Major {
		sev = "MAJOR"
	}
	return fmt.Sprintf("%-5s %-10s %-24s %s", sev, c.Class, c.Kind, c.Detail)
}

// The kinds of change Diff finds. Each has a change.<kind> message: the
// line the user reads in the update popup.
var changeKinds = []string{
	"scenario_added", "scenario_removed", "step_added", "step_removed",
	"permission_added", "permission_removed", "purpose_changed", "consequence_changed",
	"separate_consent_changed", "platforms_changed", "data_added", "data_removed",
	"consent_added", "consent_removed", "consent_changed", "consent_purpose_changed", "system_prompt_changed",
	"sdk_added", "sdk_removed", "sdk_changed", "recipient_added", "recipient_removed", "recipient_changed",
	"right_added", "right_removed", "contact_changed", "controller_changed",
	"cooldown_changed", "declare_changed", "install_time_changed", "cross_border_changed", "retention_changed",
	"text_changed",
}

// Diff lists what changed from old to new, in a stable order, and marks
// each change major or minor by new's [update] major classes. Additions and
// changes of purpose, data, sharing, use, ownership, rights and contacts
// are the classes section 9 of the reference policy calls major; removals
// that only reduce processing are class "reduction".
func Diff(old, new *Policy) []Change {
	var out []Change
	add := func(kind, class, subject, step, detail string, args ...any) {
		out = append(out, Change{Kind: kind, Class: class, Subject: subject, Step: step, Detail: fmt.Sprintf(detail, args...)})
	}

	// Controller and contact (section 9.2 and 9.5).
	if old.Controller.Name != new.Controller.Name || old.Controller.Short != new.Controller.Short {
		add("controller_changed", "ownership", "controller", "", "controller %s -> %s", old.Controller.Name, new.Controller.Name)
	}
	if old.Controller.Jurisdiction != new.Controller.Jurisdiction {
		add("controller_changed", "ownership", "jurisdiction", "", "jurisdiction %s -> %s", old.Controller.Jurisdiction, new.Controller.Jurisdiction)
	}
	for _, f := range []struct{ name, a, b string }{
		{"phone", old.Controller.Phone, new.Controller.Phone},
		{"email", old.Controller.Email, new.Controller.Email},
		{"address", old.Controller.Address, new.Controller.Address},
		{"contact", old.Controller.Contact, new.Controller.Contact},
	} {
		if f.a != f.b {
			add("contact_changed", "contact", f.name, "", "contact %s %q -> %q", f.name, f.a, f.b)
		}
	}
	if old.Controller.ResponseDays != new.Controller.ResponseDays {
		add("contact_changed", "contact", "response_days", "", "response time %d -> %d working days", old.Controller.ResponseDays, new.Controller.ResponseDays)
	}

	// Rights (section 9.4): losing one is major, gaining one is not.
	for _, r := range minus(old.Meta.Rights, new.Meta.Rights) {
		add("right_removed", "rights", r, "", "right %s removed", r)
	}
	for _, r := range minus(new.Meta.Rights, old.Meta.Rights) {
		add("right_added", "experience", r, "", "right %s added", r)
	}
	if old.Meta.CrossBorder != new.Meta.CrossBorder {
		add("cross_border_changed", "sharing", "cross_border", "", "cross-border transfer %v -> %v", old.Meta.CrossBorder, new.Meta.CrossBorder)
	}
	if old.Meta.RetentionYears != new.Meta.RetentionYears {
		add("retention_changed", "usage", "retention", "", "retention %d -> %d years", old.Meta.RetentionYears, new.Meta.RetentionYears)
	}
	if old.Meta.Cooldown != new.Meta.Cooldown {
		add("cooldown_changed", "experience", "cooldown", "", "cooldown %s -> %s", old.Meta.Cooldown.Duration, new.Meta.Cooldown.Duration)
	}
	if !slices.Equal(old.InstallTime.Android, new.InstallTime.Android) {
		add("install_time_changed", "usage", "install_time", "", "install-time permissions: +%v -%v",
			minus(new.InstallTime.Android, old.InstallTime.Android), minus(old.InstallTime.Android, new.InstallTime.Android))
	}
	if !slices.Equal(old.InstallTime.HarmonyOS, new.InstallTime.HarmonyOS) {
		add("install_time_changed", "usage", "install_time", "", "install-time permissions (harmonyos): +%v -%v",
			minus(new.InstallTime.HarmonyOS, old.InstallTime.HarmonyOS), minus(old.InstallTime.HarmonyOS, new.InstallTime.HarmonyOS))
	}

	// Permission identifiers.
	for _, np := range new.Permissions {
		if op := old.Permission(np.ID); op != nil && !slices.EqualFunc(op.Declare, np.Declare, declareEqual) {
			add("declare_changed", "experience", np.ID, "", "platform identifiers of %s changed", np.ID)
		}
	}

	// Purposes of separate consent (section 9.1): a purpose that reads
	// otherwise is another purpose.
	for _, np := range new.Purposes {
		if op := old.Purpose(np.ID); op != nil && op.Name != np.Name {
			add("consent_purpose_changed", "purpose", np.ID, "", "purpose %s is now named %s, was %s", np.ID, np.Name, op.Name)
		}
	}

	// Scenarios, steps and their permissions and data (section 9.1).
	oldSc := map[string]*Scenario{}
	for i := range old.Scenarios {
		oldSc[old.Scenarios[i].ID] = &old.Scenarios[i]
	}
	newSc := map[string]bool{}
	for _, ns := range new.Scenarios {
		newSc[ns.ID] = true
		os := oldSc[ns.ID]
		if os == nil {
			add("scenario_added", "experience", ns.ID, "", "scenario %s added", ns.ID)
			os = &Scenario{ID: ns.ID}
		}
		diffData(add, ns.ID, "", os.Data, ns.Data)
		oldSt := map[string]*Step{}
		for i := range os.Steps {
			oldSt[os.Steps[i].ID] = &os.Steps[i]
		}
		newSt := map[string]bool{}
		for _, nt := range ns.Steps {
			step := StepID(ns.ID, nt.ID)
			newSt[nt.ID] = true
			ot := oldSt[nt.ID]
			if ot == nil {
				add("step_added", "experience", step, step, "step %s added", step)
				ot = &Step{ID: nt.ID}
			}
			diffData(add, step, step, ot.Data, nt.Data)
			out = diffStepConsents(out, old, new, step, ot.Consents, nt.Consents)
			n := len(out)
			diffStepPermissions(add, step, ot.Permissions, nt.Permissions)
			for i := n; i < len(out); i++ {
				if out[i].Kind == "separate_consent_changed" {
					out[i].Purpose = purposeName(old, new, separatePurpose(ot.Permissions, nt.Permissions, out[i].Subject))
				}
			}
			if !slices.Equal(ot.SystemPrompts, nt.SystemPrompts) || ot.Unavailable != nt.Unavailable {
				add("system_prompt_changed", "experience", step, step, "%s: system prompts %v, unavailable %q, were %v, %q", step, nt.SystemPrompts, nt.Unavailable, ot.SystemPrompts, ot.Unavailable)
			}
		}
		for _, ot := range os.Steps {
			if !newSt[ot.ID] {
				step := StepID(ns.ID, ot.ID)
				add("step_removed", "reduction", step, step, "step %s removed", step)
			}
		}
	}
	for _, os := range old.Scenarios {
		if !newSc[os.ID] {
			add("scenario_removed", "reduction", os.ID, "", "scenario %s removed", os.ID)
		}
	}

	// SDKs and recipients (section 9.3: who receives the data).
	oldSDK := map[string]SDK{}
	for _, s := range old.SDKs {
		oldSDK[s.ID] = s
	}
	newSDK := map[string]bool{}
	for _, ns := range new.SDKs {
		newSDK[ns.ID] = true
		os, ok := oldSDK[ns.ID]
		if !ok {
			add("sdk_added", "sharing", ns.ID, "", "SDK %s (%s) added, collects %v", ns.ID, ns.Category, ns.Collects)
			continue
		}
		gained := append(minus(ns.Collects, os.Collects), minus(ns.Receives, os.Receives)...)
		lost := append(minus(os.Collects, ns.Collects), minus(os.Receives, ns.Receives)...)
		// Its basis: where and on what it runs, and what it collects only
		// when available.
		usage := os.Category != ns.Category || !sameSet(os.Platforms, ns.Platforms) ||
			!sameSet(os.Scenarios, ns.Scenarios) || !sameSet(os.Requires, ns.Requires) ||
			!sameSet(sdkConsents(os), sdkConsents(ns)) || !sameSet(sdkOptional(os), sdkOptional(ns))
		switch {
		case len(gained) > 0:
			add("sdk_changed", "sharing", ns.ID, "", "SDK %s now also gets %v", ns.ID, gained)
		case usage:
			add("sdk_changed", "usage", ns.ID, "", "SDK %s runs on another basis (scenarios %v, requires %v, consents %v, optional %v, platforms %v)",
				ns.ID, ns.Scenarios, ns.Requires, sdkConsents(ns), sdkOptional(ns), ns.Platforms)
		case len(lost) > 0:
			add("sdk_changed", "reduction", ns.ID, "", "SDK %s no longer gets %v", ns.ID, lost)
		}
	}
	for _, os := range old.SDKs {
		if !newSDK[os.ID] {
			add("sdk_removed", "reduction", os.ID, "", "SDK %s removed", os.ID)
		}
	}
	oldRec := map[string]Recipient{}
	for _, r := range old.Recipients {
		oldRec[r.ID] = r
	}
	newRec := map[string]bool{}
	for _, nr := range new.Recipients {
		newRec[nr.ID] = true
		or, ok := oldRec[nr.ID]
		switch {
		case !ok:
			add("recipient_added", "sharing", nr.ID, "", "recipient %s added, gets %v", nr.ID, nr.Data)
		case len(minus(nr.Data, or.Data)) > 0:
			add("recipient_changed", "sharing", nr.ID, "", "recipient %s now also gets %v", nr.ID, minus(nr.Data, or.Data))
		case len(minus(or.Data, nr.Data)) > 0:
			add("recipient_changed", "reduction", nr.ID, "", "recipient %s no longer gets %v", nr.ID, minus(or.Data, nr.Data))
		}
	}
	for _, or := range old.Recipients {
		if !newRec[or.ID] {
			add("recipient_removed", "reduction", or.ID, "", "recipient %s removed", or.ID)
		}
	}

	// The texts each version shows (section 9.1: a purpose that reads
	// otherwise is another purpose).
	out = append(out, diffTexts(old, new)...)

	for i := range out {
		out[i].Major = slices.Contains(new.Update.Major, out[i].Class)
	}
	return out
}

// consequenceClass is the class of a change of what refusing an ask
// costs: one that makes an optional ask blocking narrows the user's rights
// (refusing now costs the service, section 9), any other is experience.
func consequenceClass(old, new string) string {
	if new == vocab.Blocking.String() && old != vocab.Blocking.String() {
		return "rights"
	}
	return "experience"
}

func diffData(add func(kind, class, subject, step, detail string, args ...any), where, step string, old, new []string) {
	for _, d := range minus(new, old) {
		add("data_added", "data_type", d, step, "%s now collects %s", where, d)
	}
	for _, d := range minus(old, new) {
		add("data_removed", "reduction", d, step, "%s no longer collects %s", where, d)
	}
}

func diffStepPermissions(add func(kind, class, subject, step, detail string, args ...any), step string, old, new []StepPermission) {
	oldP := map[string]StepPermission{}
	for _, p := range old {
		oldP[p.ID] = p
	}
	newP := map[string]bool{}
	for _, np := range new {
		newP[np.ID] = true
		op, ok := oldP[np.ID]
		if !ok {
			add("permission_added", "data_type", np.ID, step, "%s now asks for %s", step, np.ID)
			continue
		}
		if op.Purpose != np.Purpose {
			add("purpose_changed", "purpose", np.ID, step, "%s: purpose of %s %s -> %s", step, np.ID, op.Purpose, np.Purpose)
		}
		if op.Consequence != np.Consequence || op.Refusal != np.Refusal || op.Fallback != np.Fallback {
			add("consequence_changed", consequenceClass(op.Consequence, np.Consequence), np.ID, step, "%s: refusing %s is now %s (%s)", step, np.ID, np.Consequence, np.Refusal)
		}
		if op.SeparateConsent != np.SeparateConsent || op.Sensitive != np.Sensitive {
			add("separate_consent_changed", "purpose", np.ID, step, "%s: %s separate consent %q -> %q", step, np.ID,
				op.Sensitive+"/"+op.SeparateConsent, np.Sensitive+"/"+np.SeparateConsent)
		}
		if !sameSet(op.Platforms, np.Platforms) || op.AccessLevel() != np.AccessLevel() {
			add("platforms_changed", "usage", np.ID, step, "%s: %s asked with access %s on %v, was %s on %v", step, np.ID, np.AccessLevel(), np.Platforms, op.AccessLevel(), op.Platforms)
		}
	}
	for _, op := range old {
		if !newP[op.ID] {
			add("permission_removed", "reduction", op.ID, step, "%s no longer asks for %s", step, op.ID)
		}
	}
}

// diffStepConsents appends what changed in the separate consents a step
// asks on their own: a new one is a new purpose of processing (section
// 9.1), whatever the category.
func diffStepConsents(out []Change, old, new *Policy, step string, oc, nc []StepConsent) []Change {
	add := func(kind, class string, c StepConsent, detail string, args ...any) {
		out = append(out, Change{Kind: kind, Class: class, Subject: c.Sensitive, Step: step,
			Purpose: purposeName(old, new, c.SeparateConsent), Detail: fmt.Sprintf(detail, args...)})
	}
	prev := map[string]StepConsent{}
	for _, c := range oc {
		prev[c.Consent()] = c
	}
	kept := map[string]bool{}
	for _, c := range nc {
		kept[c.Consent()] = true
		o, ok := prev[c.Consent()]
		if !ok {
			add("consent_added", "purpose", c, "%s now asks separate consent to %s", step, c.Consent())
			continue
		}
		if o.Purpose != c.Purpose {
			add("consent_changed", "purpose", c, "%s: separate consent to %s explained by %s, was %s", step, c.Consent(), c.Purpose, o.Purpose)
		}
		if o.Consequence != c.Consequence || o.Refusal != c.Refusal || o.Fallback != c.Fallback {
			add("consent_changed", consequenceClass(o.Consequence, c.Consequence), c, "%s: declining %s is now %s (%s)", step, c.Consent(), c.Consequence, c.Refusal)
		}
		if !sameSet(o.Platforms, c.Platforms) {
			add("consent_changed", "usage", c, "%s: %s asked on %v, was %v", step, c.Consent(), c.Platforms, o.Platforms)
		}
	}
	for _, c := range oc {
		if !kept[c.Consent()] {
			add("consent_removed", "reduction", c, "%s no longer asks separate consent to %s", step, c.Consent())
		}
	}
	return out
}

// purposeName returns the message id naming a purpose, from the newer
// version if it has the purpose, else from the older; "" for none.
func purposeName(old, new *Policy, id string) string {
	for _, p := range []*Policy{new, old} {
		if pu := p.Purpose(id); pu != nil {
			return pu.Name
		}
	}
	return ""
}

// separatePurpose returns the purpose of the separate consent with which
// a step asks for a permission: the newer one, or the older one if the
// newer asks none.
func separatePurpose(old, new []StepPermission, perm string) string {
	for _, list := range [][]StepPermission{new, old} {
		for _, sp := range list {
			if sp.ID == perm && sp.SeparateConsent != "" {
				return sp.SeparateConsent
			}
		}
	}
	return ""
}

// sdkConsents lists an SDK's separate consents as "<sensitive>/<purpose>".
func sdkConsents(s SDK) []string {
	var out []string
	for _, c := range s.Consents {
		out = append(out, c.Sensitive+"/"+c.Purpose)
	}
	return out
}

// sdkOptional lists an SDK's optional data with what it rests on.
func sdkOptional(s SDK) []string {
	var out []string
	for _, o := range s.Optional {
		out = append(out, o.Data+"("+o.Permission+","+o.Sensitive+"/"+o.Purpose+")")
	}
	return out
}

// Classify returns "major" if any change is major, else "minor".
func Classify(changes []Change) string {
	for _, c := range changes {
		if c.Major {
			return "major"
		}
	}
	return "minor"
}

// minus returns the items of a that are not in b, in a's order.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	return len(minus(a, b)) == 0 && len(minus(b, a)) == 0
}

func declareEqual(a, b Declare) bool {
	return a.Platform == b.Platform && a.Min == b.Min && a.Max == b.Max && slices.Equal(a.IDs, b.IDs) &&
		a.AccessLevel() == b.AccessLevel() && a.GrantKind() == b.GrantKind() && a.API == b.API && a.Settings == b.Settings
}

// FormatDiff renders a diff for a terminal.
func FormatDiff(old, new *Policy, changes []Change) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s -> %s: %s (%s)\n", new.Meta.ID, old.Meta.Version, new.Meta.Version, strings.ToUpper(Classify(changes)), CountChanges(len(changes)))
	for _, c := range changes {
		b.WriteString("  ")
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// CountChanges says how many changes there are, in English: "1 change",
// "3 changes".
func CountChanges(n int) string {
	if n == 1 {
		return "1 change"
	}
	return fmt.Sprintf("%d changes", n)
}
