package prompts

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/vocab"
	"golang.org/x/text/language"
)

// Lint checks a loaded project and returns every problem it finds, sorted
// by position. A project with no problem compiles.
func Lint(p *Project) errcode.List {
	var probs errcode.List
	for _, pol := range p.Versions {
		pol.lint(&probs)
	}
	p.lintVersions(&probs)
	p.lintMessages(&probs)
	p.lintFrozen(&probs)
	probs.Sort()
	return probs
}

type linter struct {
	pol   *Policy
	probs *errcode.List
}

func (l linter) add(code errcode.Code, key, format string, args ...any) {
	*l.probs = append(*l.probs, errcode.Error{Pos: l.pol.pos(key), Code: code, Field: key, Message: fmt.Sprintf(format, args...)})
}

// lint checks one version on its own.
func (pol *Policy) lint(probs *errcode.List) {
	l := linter{pol, probs}
	m := pol.Meta
	if !slices.Contains([]string{vocab.ChangeFirst.String(), vocab.ChangeMajor.String(), vocab.ChangeMinor.String()}, m.Change) {
		l.add(CodeBadValue, "policy.change", "change must be first, major or minor, not %q", m.Change)
	}
	for i, loc := range m.Locales {
		if _, err := language.Parse(loc); err != nil {
			l.add(CodeBadValue, "policy.locales", "locales[%d] %q is not a BCP 47 tag", i, loc)
		}
	}
	if !slices.Contains(m.Locales, m.DefaultLocale) {
		l.add(CodeUnknownReference, "policy.default_locale", "default locale %q is not among policy.locales %v", m.DefaultLocale, m.Locales)
	}
	if dups := duplicates(m.Locales); len(dups) > 0 {
		l.add(CodeDuplicateID, "policy.locales", "locale %s is listed twice", dups[0])
	}
	if m.Cooldown.Duration <= 0 {
		l.add(CodeBadValue, "policy.cooldown", "the cooldown must be longer than zero")
	}
	for _, r := range m.Rights {
		if !isWord(vocab.NumRights, r) {
			l.add(CodeUnknownVocabulary, "policy.rights", "unknown right %q (known: %s)", r, known(vocab.NumRights))
		}
	}
	if dups := duplicates(m.Rights); len(dups) > 0 {
		l.add(CodeDuplicateID, "policy.rights", "right %s is listed twice", dups[0])
	}
	if _, err := mail.ParseAddress(pol.Controller.Email); err != nil {
		l.add(CodeBadValue, "controller.email", "%q is not an e-mail address", pol.Controller.Email)
	}
	if !countryCode(pol.Controller.Jurisdiction) {
		l.add(CodeBadValue, "controller.jurisdiction", "%q is not an ISO 3166-1 alpha-2 country code (CN for the PIPL)", pol.Controller.Jurisdiction)
	}
	if strings.TrimSpace(pol.Controller.Phone) == "" {
		l.add(CodeBadValue, "controller.phone", "the controller's phone number is empty")
	}
	for _, c := range pol.Update.Major {
		if !isWord(vocab.NumChangeClasses, c) {
			l.add(CodeUnknownVocabulary, "update.major", "unknown change class %q (known: %s)", c, known(vocab.NumChangeClasses))
		}
	}
	for i, id := range pol.InstallTime.Android {
		if !strings.HasPrefix(id, "android.permission.") {
			l.add(CodeBadValue, "install_time.android", "android[%d] %q is not an android.permission.* name", i, id)
		}
	}
	for i, id := range pol.InstallTime.HarmonyOS {
		if !strings.HasPrefix(id, "ohos.permission.") {
			l.add(CodeBadValue, "install_time.harmonyos", "harmonyos[%d] %q is not an ohos.permission.* name", i, id)
		}
	}
	l.lintInstallTime("install_time.android", "android", pol.InstallTime.Android)
	l.lintInstallTime("install_time.harmonyos", "harmonyos", pol.InstallTime.HarmonyOS)
	l.lintPermissions()
	l.lintPurposes()
	l.lintScenarios()
	l.lintSDKs()
	seen := map[string]string{}
	for i, r := range pol.Recipients {
		l.uniqueID(seen, "recipient", idx("recipient", i), r.ID)
	}
	l.lintLinks()
	l.lintEditorial()
}

// lintLinks checks [links]: for every kind, an https URL with a host for
// every locale of the policy, and no locale the policy does not have.
func (l linter) lintLinks() {
	for _, kind := range LinkKinds {
		key := "links." + kind
		urls := l.pol.Links.URLs(kind)
		for _, loc := range l.pol.Meta.Locales {
			if _, ok := urls[loc]; !ok {
				l.add(CodeMissingKey, key+"."+loc, "no %s link for locale %s: every locale links to the text it can read", kind, loc)
			}
		}
		for _, loc := range sortedKeys(urls) {
			if !slices.Contains(l.pol.Meta.Locales, loc) {
				l.add(CodeUnknownReference, key+"."+loc, "locale %s is not among policy.locales %v", loc, l.pol.Meta.Locales)
				continue
			}
			if !bundle.HTTPSURL(urls[loc]) {
				l.add(CodeBadValue, key+"."+loc, "%q is not an https URL with a host", urls[loc])
			}
		}
	}
}

// lintEditorial checks the [[editorial]] rows on their own: a message id
// and a reason, each once. Whether the message changed is lintVersions'.
func (l linter) lintEditorial() {
	seen := map[string]string{}
	for i, e := range l.pol.Editorial {
		key := idx("editorial", i)
		if !messagePattern.MatchString(e.Message) {
			l.add(CodeBadValue, key+".message", "%q is not a message id (dotted lower-case words)", e.Message)
		}
		if strings.TrimSpace(e.Reason) == "" {
			l.add(CodeMissingKey, key+".reason", "an editorial change of %s needs its reason (reason = ...): the reviewers and auditors read it", e.Message)
		}
		if first, ok := seen[e.Message]; ok {
			l.add(CodeDuplicateID, key+".message", "message %s is already marked editorial at %s", e.Message, l.pol.pos(first))
			continue
		}
		seen[e.Message] = key
	}
}

// uniqueID reports an id seen before in the same list.
func (l linter) uniqueID(seen map[string]string, what, key, id string) {
	if !idPattern.MatchString(id) {
		l.add(CodeBadValue, key+".id", "%q is not an id (lower case letters, digits and _)", id)
	}
	if first, ok := seen[id]; ok {
		l.add(CodeDuplicateID, key+".id", "%s %q is already defined at %s", what, id, l.pol.pos(first+".id"))
		return
	}
	seen[id] = key
}

func (l linter) lintPermissions() {
	seen := map[string]string{}
	for i, perm := range l.pol.Permissions {
		key := idx("permission", i)
		l.uniqueID(seen, "permission", key, perm.ID)
		if !isWord(vocab.NumPermissions, perm.ID) {
			l.add(CodeUnknownPermission, key+".id", "unknown permission %q (known: %s)", perm.ID, known(vocab.NumPermissions))
		}
		for _, pl := range perm.Unavailable {
			if !isWord(vocab.NumPlatforms, pl) {
				l.add(CodeUnknownPlatform, key+".unavailable", "unknown platform %q (known: %s)", pl, known(vocab.NumPlatforms))
			}
		}
		for j, d := range perm.Declare {
			dkey := key + "." + idx("declare", j)
			if !isWord(vocab.NumPlatforms, d.Platform) {
				l.add(CodeUnknownPlatform, dkey+".platform", "unknown platform %q (known: %s)", d.Platform, known(vocab.NumPlatforms))
				continue
			}
			if slices.Contains(perm.Unavailable, d.Platform) {
				l.add(CodePlatformUnavailable, dkey+".platform", "%s is declared on %s, which the permission lists as unavailable", perm.ID, d.Platform)
			}
			for _, id := range d.IDs {
				if strings.TrimSpace(id) == "" {
					l.add(CodeEmptyText, dkey+".ids", "an identifier is empty")
				}
			}
			l.lintRange(dkey, d.Platform, d.Min, d.Max)
			if l.lintGrant(dkey, d) {
				l.lintFacts(dkey, perm.ID, d)
			}
			for k := 0; k < j; k++ {
				o := perm.Declare[k]
				if o.Platform == d.Platform && o.AccessLevel() == d.AccessLevel() && bundle.RangesOverlap(o.Min, o.Max, d.Min, d.Max) {
					l.add(CodeDuplicateID, dkey+".platform", "%s on %s with access %s overlaps the versions of %s", perm.ID, d.Platform, d.AccessLevel(), l.pol.pos(key+"."+idx("declare", k)))
					break
				}
			}
		}
		for _, pl := range vocab.Names(vocab.NumPlatforms) {
			if !perm.available(pl) && !slices.Contains(perm.Unavailable, pl) {
				l.add(CodePlatformMissing, key+".id", "%s says nothing about %s: add a [[permission.declare]] row or list it in unavailable", perm.ID, pl)
			}
		}
	}
}

// lintGrant checks a declare row's access level and grant and what each
// grant needs (the rules bundle.Validate applies to the compiled row). It
// reports whether the row is well-formed enough to hold against the facts.
func (l linter) lintGrant(key string, d Declare) bool {
	ok := true
	if _, isKnown := vocab.ParseAccess(d.Access); d.Access != "" && !isKnown {
		l.add(CodeBadValue, key+".access", "unknown access %q (known: %s)", d.Access, known(vocab.NumAccess))
		ok = false
	}
	if _, isKnown := vocab.ParseGrant(d.Grant); d.Grant != "" && !isKnown {
		l.add(CodeBadValue, key+".grant", "unknown grant %q (known: %s)", d.Grant, known(vocab.NumGrants))
		return false
	}
	grant := d.GrantKind()
	switch {
	case d.AccessLevel() == vocab.AccessPicker && grant != vocab.GrantNone:
		l.add(CodeBadValue, key+".grant", "a picker needs no permission: its grant is none, not %s", grant)
		return false
	case grant == vocab.GrantNone && strings.TrimSpace(d.API) == "":
		l.add(CodeMissingKey, key+".api", "a row with grant none names the host's call that needs no permission (api = ...)")
		ok = false
	case grant == vocab.GrantNone && len(d.IDs) > 0:
		l.add(CodeBadValue, key+".ids", "a row with grant none has no identifiers: nothing is declared or asked")
		ok = false
	case grant != vocab.GrantNone && d.API != "":
		l.add(CodeBadValue, key+".api", "only a row with grant none names an api; this one is %s", grant)
		ok = false
	}
	switch {
	case grant == vocab.GrantSpecial && strings.TrimSpace(d.Settings) == "":
		l.add(CodeMissingKey, key+".settings", "a special access names the settings that grant it (settings = ...)")
		ok = false
	case grant != vocab.GrantSpecial && d.Settings != "":
		l.add(CodeBadValue, key+".settings", "only a special access names settings; this row is %s", grant)
		ok = false
	case (grant == vocab.GrantRuntime || grant == vocab.GrantInstall) && len(d.IDs) == 0:
		l.add(CodeMissingKey, key+".ids", "a %s row needs at least one identifier", grant)
		ok = false
	}
	return ok
}

// lintRange checks a version range on a platform.
func (l linter) lintRange(key, platform, min, max string) {
	if platform == "web" && (min != "" || max != "") {
		l.add(CodeBadValue, key, "web has no versions to bound: the device version on web is the browser's name")
		return
	}
	for _, b := range []struct{ name, v string }{{"min", min}, {"max", max}} {
		if b.v == "" {
			continue
		}
		if _, err := bundle.ParseVersion(b.v); err != nil {
			l.add(CodeBadValue, key+"."+b.name, "%q: %v", b.v, err)
			return
		}
	}
	if min != "" && max != "" && !bundle.RangesOverlap(min, max, min, max) {
		l.add(CodeBadValue, key+".max", "max %s is below min %s", max, min)
	}
}

// parseConstraint reads a step's platform constraint: "android",
// "ios>=14", "android<=32" or "android>=23,<=32".
func parseConstraint(s string) (bundle.Constraint, error) {
	name := s
	i := strings.IndexAny(s, "<>=")
	if i >= 0 {
		name = s[:i]
	}
	c := bundle.Constraint{Platform: strings.TrimSpace(name)}
	if !isWord(vocab.NumPlatforms, c.Platform) {
		return c, errUnknownPlatform
	}
	if i < 0 {
		return c, nil
	}
	for _, part := range strings.Split(s[i:], ",") {
		part = strings.TrimSpace(part)
		switch {
		case strings.HasPrefix(part, ">=") && c.Min == "":
			c.Min = strings.TrimSpace(part[2:])
		case strings.HasPrefix(part, "<=") && c.Max == "":
			c.Max = strings.TrimSpace(part[2:])
		default:
			return c, errConstraint
		}
	}
	return c, nil
}

var (
	errUnknownPlatform = errors.New("unknown platform")
	errConstraint      = errors.New(`a platform constraint looks like "android", "ios>=14", "android<=32" or "android>=23,<=32"`)
)

// stepConstraints returns the platforms a step permission applies on: its
// own constraints, or every platform where the permission has rows of the
// access level the step needs.
func (pol *Policy) stepConstraints(sp StepPermission) []bundle.Constraint {
	var out []bundle.Constraint
	if len(sp.Platforms) == 0 {
		perm := pol.Permission(sp.ID)
		for _, pl := range vocab.Names(vocab.NumPlatforms) {
			if perm != nil && perm.availableFor(pl, sp.AccessLevel()) {
				out = append(out, bundle.Constraint{Platform: pl})
			}
		}
		return out
	}
	for _, s := range sp.Platforms {
		if c, err := parseConstraint(s); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// consentConstraints returns the platforms a step consent applies on: its
// own constraints, or every platform.
func consentConstraints(c StepConsent) []bundle.Constraint {
	var out []bundle.Constraint
	if len(c.Platforms) == 0 {
		for _, pl := range vocab.Names(vocab.NumPlatforms) {
			out = append(out, bundle.Constraint{Platform: pl})
		}
		return out
	}
	for _, s := range c.Platforms {
		if c, err := parseConstraint(s); err == nil {
			out = append(out, c)
		}
	}
	return out
}

func (l linter) lintScenarios() {
	pol := l.pol
	seenSc := map[string]string{}
	for i, sc := range pol.Scenarios {
		skey := idx("scenario", i)
		l.uniqueID(seenSc, "scenario", skey, sc.ID)
		l.lintData(skey+".data", sc.Data)
		seenSt := map[string]string{}
		for j, st := range sc.Steps {
			tkey := skey + "." + idx("step", j)
			l.uniqueID(seenSt, "step", tkey, st.ID)
			l.lintData(tkey+".data", st.Data)
			seenP := map[string]string{}
			for k, c := range st.Consents {
				l.lintStepConsent(tkey+"."+idx("consent", k), StepID(sc.ID, st.ID), c, seenP)
			}
			for k, sp := range st.Permissions {
				l.lintStepPermission(tkey+"."+idx("permission", k), StepID(sc.ID, st.ID), sp, seenP)
			}
			l.lintSystemPrompts(tkey, StepID(sc.ID, st.ID), st)
		}
	}
}

func (l linter) lintData(key string, data []string) {
	for _, d := range data {
		if !idPattern.MatchString(d) {
			l.add(CodeBadValue, key, "data type %q is not an id", d)
		}
	}
	if dups := duplicates(data); len(dups) > 0 {
		l.add(CodeDuplicateID, key, "data type %s is listed twice", dups[0])
	}
}

// once reports what a step asks twice: a permission or a separate consent.
// seen maps what was asked to the key that asked it first.
func (l linter) once(seen map[string]string, key, step, what, label string) {
	if first, ok := seen[what]; ok {
		l.add(CodeDuplicateID, key, "step %s asks for %s twice (first at %s)", step, label, l.pol.pos(first))
		return
	}
	seen[what] = key
}

// lintConsent checks a category and purpose of a separate consent, each
// where it is given: known words and a [[purpose]] that exists.
func (l linter) lintConsent(key, sensitiveKey, purposeKey, sensitive, purpose string) {
	if sensitive != "" && !isWord(vocab.NumSensitive, sensitive) {
		l.add(CodeUnknownVocabulary, key+"."+sensitiveKey, "unknown sensitive category %q (known: %s)", sensitive, known(vocab.NumSensitive))
	}
	if purpose != "" && l.pol.Purpose(purpose) == nil {
		l.add(CodeUnknownReference, key+"."+purposeKey, "no [[purpose]] %q in this policy", purpose)
	}
}

// lintTexts checks what a step permission or consent says of itself: a
// purpose, a known consequence and a fallback exactly with the fallback
// consequence, each a message id.
func (l linter) lintTexts(key, step, what, purpose, consequence, refusal, fallback string) {
	if purpose == "" {
		l.add(CodeMissingPurpose, key, "step %s asks for %s without a purpose: name the message that explains why", step, what)
	}
	if !isWord(vocab.NumConsequences, consequence) {
		l.add(CodeUnknownConsequence, key+".consequence", "unknown consequence %q (known: %s)", consequence, known(vocab.NumConsequences))
	}
	switch {
	case consequence == vocab.Fallback.String() && fallback == "":
		l.add(CodeMissingFallback, key+".consequence", "a fallback consequence needs a fallback message saying how the step goes on")
	case consequence != vocab.Fallback.String() && fallback != "":
		l.add(CodeMissingFallback, key+".fallback", "a fallback message needs consequence = \"fallback\", not %q", consequence)
	}
	for _, f := range []struct{ name, id string }{{"purpose", purpose}, {"refusal", refusal}, {"fallback", fallback}} {
		if f.id != "" && !messagePattern.MatchString(f.id) {
			l.add(CodeBadValue, key+"."+f.name, "%q is not a message id (dotted lower-case words)", f.id)
		}
	}
}

// lintStepConsent checks a separate consent a step asks on its own.
func (l linter) lintStepConsent(key, step string, c StepConsent, seen map[string]string) {
	l.lintConsent(key, "sensitive", "separate_consent", c.Sensitive, c.SeparateConsent)
	l.once(seen, key+".separate_consent", step, "consent "+c.Consent(), "separate consent to "+c.Consent())
	l.lintTexts(key, step, "separate consent to "+c.Consent(), c.Purpose, c.Consequence, c.Refusal, c.Fallback)
	l.lintPlatforms(key+".platforms", c.Platforms)
}

// lintPlatforms checks platform constraints on their own: known platforms
// and version ranges.
func (l linter) lintPlatforms(key string, constraints []string) {
	for _, s := range constraints {
		c, err := parseConstraint(s)
		if errors.Is(err, errUnknownPlatform) {
			l.add(CodeUnknownPlatform, key, "unknown platform in %q (known: %s)", s, known(vocab.NumPlatforms))
			continue
		}
		if err != nil {
			l.add(CodeBadValue, key, "%q: %v", s, err)
			continue
		}
		l.lintRange(key, c.Platform, c.Min, c.Max)
	}
}

// lintSystemPrompts checks the platform's own prompts a step uses, and
// that it says what a platform none admits shows instead.
func (l linter) lintSystemPrompts(key, step string, st Step) {
	for j, p := range st.SystemPrompts {
		pkey := key + "." + idx("system_prompt", j)
		if strings.TrimSpace(p.API) == "" {
			l.add(CodeEmptyText, pkey+".api", "a system prompt names the platform's api it calls")
		}
		if !isWord(vocab.NumPlatforms, p.Platform) {
			l.add(CodeUnknownPlatform, pkey+".platform", "unknown platform %q (known: %s)", p.Platform, known(vocab.NumPlatforms))
			continue
		}
		l.lintRange(pkey, p.Platform, p.Min, p.Max)
		for k := 0; k < j; k++ {
			o := st.SystemPrompts[k]
			if o.Platform == p.Platform && bundle.RangesOverlap(o.Min, o.Max, p.Min, p.Max) {
				l.add(CodeDuplicateID, pkey+".platform", "step %s has two system prompts on %s for the same versions (%s)", step, p.Platform, l.pol.pos(key+"."+idx("system_prompt", k)))
				break
			}
		}
	}
	switch {
	case len(st.SystemPrompts) > 0 && st.Unavailable == "":
		l.add(CodeMissingKey, key+".unavailable", "step %s uses system prompts: unavailable names the message shown where none of them admits the device", step)
	case len(st.SystemPrompts) == 0 && st.Unavailable != "":
		l.add(CodeBadValue, key+".unavailable", "step %s has no [[scenario.step.system_prompt]]: unavailable is shown only where none admits the device", step)
	}
	if st.Unavailable != "" && !messagePattern.MatchString(st.Unavailable) {
		l.add(CodeBadValue, key+".unavailable", "%q is not a message id (dotted lower-case words)", st.Unavailable)
	}
}

func (l linter) lintStepPermission(key, step string, sp StepPermission, seen map[string]string) {
	pol := l.pol
	l.once(seen, key+".id", step, sp.ID, sp.ID)
	perm := pol.Permission(sp.ID)
	switch {
	case !isWord(vocab.NumPermissions, sp.ID):
		l.add(CodeUnknownPermission, key+".id", "unknown permission %q (known: %s)", sp.ID, known(vocab.NumPermissions))
	case perm == nil:
		l.add(CodeUnknownPermission, key+".id", "permission %q has no [[permission]] table in this policy", sp.ID)
	}
	l.lintTexts(key, step, sp.ID, sp.Purpose, sp.Consequence, sp.Refusal, sp.Fallback)
	switch {
	case sp.Sensitive != "" && sp.SeparateConsent == "":
		l.add(CodeSeparateConsent, key+".sensitive", "%s data (%s at %s) needs separate consent for a purpose: separate_consent = \"<purpose id>\" (PIPL Art. 29)", sp.Sensitive, sp.ID, step)
	case sp.SeparateConsent != "" && sp.Sensitive == "":
		l.add(CodeSeparateConsent, key+".separate_consent", "separate consent needs the sensitive category it is for (sensitive = ...)")
	}
	l.lintConsent(key, "sensitive", "separate_consent", sp.Sensitive, sp.SeparateConsent)
	if sp.Sensitive != "" && sp.SeparateConsent != "" {
		c := sp.Sensitive + "/" + sp.SeparateConsent
		l.once(seen, key+".separate_consent", step, "consent "+c, "separate consent to "+c)
	}
	access, knownAccess := vocab.ParseAccess(sp.Access)
	if sp.Access != "" && !knownAccess {
		l.add(CodeBadValue, key+".access", "unknown access %q (known: %s)", sp.Access, known(vocab.NumAccess))
		return
	}
	if perm == nil {
		return
	}
	if len(sp.Platforms) == 0 && len(pol.stepConstraints(sp)) == 0 {
		l.add(CodePlatformUnavailable, key+".access", "%s has no declare row with access %s on any platform", sp.ID, access)
	}
	for _, s := range sp.Platforms {
		c, err := parseConstraint(s)
		if errors.Is(err, errUnknownPlatform) {
			l.add(CodeUnknownPlatform, key+".platforms", "unknown platform in %q (known: %s)", s, known(vocab.NumPlatforms))
			continue
		}
		if err != nil {
			l.add(CodeBadValue, key+".platforms", "%q: %v", s, err)
			continue
		}
		l.lintRange(key+".platforms", c.Platform, c.Min, c.Max)
		if !perm.available(c.Platform) {
			l.add(CodePlatformUnavailable, key+".platforms", "%s is asked on %s, which does not have it", sp.ID, c.Platform)
			continue
		}
		if !perm.availableFor(c.Platform, access) {
			l.add(CodePlatformUnavailable, key+".platforms", "%s is asked with access %s on %s, which has no row of that access", sp.ID, access, c.Platform)
			continue
		}
		overlap := false
		for _, d := range perm.Declare {
			if d.Platform == c.Platform && d.AccessLevel() == access && bundle.RangesOverlap(d.Min, d.Max, c.Min, c.Max) {
				overlap = true
			}
		}
		if !overlap {
			l.add(CodePlatformUnavailable, key+".platforms", "%s does not exist on %s in the versions %q admits", sp.ID, c.Platform, s)
		}
	}
}

func (l linter) lintSDKs() {
	pol := l.pol
	seen := map[string]string{}
	for i, s := range pol.SDKs {
		key := idx("sdk", i)
		l.uniqueID(seen, "sdk", key, s.ID)
		if !isWord(vocab.NumSDKCategories, s.Category) {
			l.add(CodeUnknownVocabulary, key+".category", "unknown SDK category %q (known: %s)", s.Category, known(vocab.NumSDKCategories))
		}
		if len(s.Platforms) == 0 {
			l.add(CodeMissingKey, key+".platforms", "an SDK runs on at least one platform")
		}
		for _, pl := range s.Platforms {
			if !isWord(vocab.NumPlatforms, pl) {
				l.add(CodeUnknownPlatform, key+".platforms", "unknown platform %q (known: %s)", pl, known(vocab.NumPlatforms))
			}
		}
		l.lintData(key+".collects", s.Collects)
		l.lintData(key+".receives", s.Receives)
		for _, ref := range s.Scenarios {
			if sc, st, isStep := strings.Cut(ref, "/"); isStep {
				if step, _ := pol.Step(StepID(sc, st)); step == nil {
					l.add(CodeUnknownReference, key+".scenarios", "no step %q in this policy", ref)
				}
			} else if !slices.ContainsFunc(pol.Scenarios, func(x Scenario) bool { return x.ID == ref }) {
				l.add(CodeUnknownReference, key+".scenarios", "no scenario %q in this policy", ref)
			}
		}
		if dups := duplicates(s.Scenarios); len(dups) > 0 {
			l.add(CodeDuplicateID, key+".scenarios", "%s is listed twice", dups[0])
		}
		for _, r := range s.Requires {
			l.lintSDKPermission(key+".requires", r)
		}
		if dups := duplicates(s.Requires); len(dups) > 0 {
			l.add(CodeDuplicateID, key+".requires", "permission %s is listed twice", dups[0])
		}
		var consents []string
		for j, c := range s.Consents {
			l.lintConsent(key+"."+idx("consents", j), "sensitive", "purpose", c.Sensitive, c.Purpose)
			consents = append(consents, c.Sensitive+"/"+c.Purpose)
		}
		if dups := duplicates(consents); len(dups) > 0 {
			l.add(CodeDuplicateID, key+".consents", "consent %s is listed twice", dups[0])
		}
		var optional []string
		for j, o := range s.Optional {
			okey := key + "." + idx("optional", j)
			if !slices.Contains(s.Collects, o.Data) {
				l.add(CodeUnknownReference, okey+".data", "optional data %q is not among what %s collects", o.Data, s.ID)
			}
			if o.Permission != "" {
				l.lintSDKPermission(okey+".permission", o.Permission)
			}
			switch {
			case o.Sensitive != "" && o.Purpose == "":
				l.add(CodeSeparateConsent, okey+".sensitive", "optional %s data of %s needs the purpose of its separate consent (purpose = ...)", o.Sensitive, s.ID)
			case o.Purpose != "" && o.Sensitive == "":
				l.add(CodeSeparateConsent, okey+".purpose", "a purpose of separate consent needs the sensitive category it is for (sensitive = ...)")
			}
			l.lintConsent(okey, "sensitive", "purpose", o.Sensitive, o.Purpose)
			optional = append(optional, o.Data)
		}
		if dups := duplicates(optional); len(dups) > 0 {
			l.add(CodeDuplicateID, key+".optional", "optional data %s is listed twice", dups[0])
		}
	}
}

// lintSDKPermission checks a permission an SDK link names.
func (l linter) lintSDKPermission(key, perm string) {
	switch {
	case !isWord(vocab.NumPermissions, perm):
		l.add(CodeUnknownPermission, key, "unknown permission %q (known: %s)", perm, known(vocab.NumPermissions))
	case l.pol.Permission(perm) == nil:
		l.add(CodeUnknownPermission, key, "permission %q has no [[permission]] table in this policy", perm)
	}
}

// lintPurposes checks the [[purpose]] tables: unique ids, a message id
// for each name, and each one used by a step or an SDK.
func (l linter) lintPurposes() {
	pol := l.pol
	used := map[string]bool{}
	for _, sc := range pol.Scenarios {
		for _, st := range sc.Steps {
			for _, c := range st.Consents {
				used[c.SeparateConsent] = true
			}
			for _, sp := range st.Permissions {
				used[sp.SeparateConsent] = true
			}
		}
	}
	for _, s := range pol.SDKs {
		for _, c := range s.Consents {
			used[c.Purpose] = true
		}
		for _, o := range s.Optional {
			used[o.Purpose] = true
		}
	}
	seen := map[string]string{}
	for i, pu := range pol.Purposes {
		key := idx("purpose", i)
		l.uniqueID(seen, "purpose", key, pu.ID)
		if !messagePattern.MatchString(pu.Name) {
			l.add(CodeBadValue, key+".name", "%q is not a message id (dotted lower-case words)", pu.Name)
		}
		if !used[pu.ID] {
			l.add(CodeUnusedPurpose, key+".id", "no step or SDK asks separate consent for purpose %q", pu.ID)
		}
	}
}

// lintEditorialUse reports an [[editorial]] row whose message did not
// change from the version before: there is nothing to call editorial.
func (p *Project) lintEditorialUse(probs *errcode.List) {
	for i, pol := range p.Versions {
		changed := map[string]bool{}
		if i > 0 {
			for _, c := range Diff(p.Versions[i-1], pol) {
				if c.Kind == "text_changed" {
					changed[c.Subject] = true
				}
			}
		}
		l := linter{pol, probs}
		for j, e := range pol.Editorial {
			if changed[e.Message] || !messagePattern.MatchString(e.Message) {
				continue
			}
			if i == 0 {
				l.add(CodeUnusedMessage, idx("editorial", j)+".message", "%s is marked editorial, but version %s is the first loaded: there is no earlier text to compare", e.Message, pol.Meta.Version)
				continue
			}
			l.add(CodeUnusedMessage, idx("editorial", j)+".message", "%s is marked editorial, but its text did not change from version %s", e.Message, p.Versions[i-1].Meta.Version)
		}
	}
}

// lintVersions checks the versions against each other.
func (p *Project) lintVersions(probs *errcode.List) {
	p.lintEditorialUse(probs)
	first := p.Versions[0]
	for i, pol := range p.Versions {
		l := linter{pol, probs}
		if pol.Meta.ID != first.Meta.ID {
			l.add(CodePolicyMismatch, "policy.id", "policy %q is loaded with versions of policy %q (%s)", pol.Meta.ID, first.Meta.ID, first.File())
			continue
		}
		if i == 0 {
			if pol.Meta.Change != vocab.ChangeFirst.String() && len(p.Versions) == 1 {
				l.add(CodeBadValue, "policy.change", "the only version loaded must say change = \"first\"")
			}
			continue
		}
		prev := p.Versions[i-1]
		if pol.Meta.Version == prev.Meta.Version {
			l.add(CodeVersionOrder, "policy.version", "version %s is also defined in %s", pol.Meta.Version, prev.File())
			continue
		}
		if !pol.Meta.Effective.After(prev.Meta.Effective.Time) {
			l.add(CodeVersionOrder, "policy.effective", "version %s takes effect %s, not after version %s (%s)", pol.Meta.Version, pol.Meta.Effective, prev.Meta.Version, prev.Meta.Effective)
		}
		if pol.Meta.Change == vocab.ChangeFirst.String() {
			l.add(CodeBadValue, "policy.change", "version %s follows %s: change must be major or minor, not first", pol.Meta.Version, prev.Meta.Version)
			continue
		}
		changes := Diff(prev, pol)
		if Classify(changes) == vocab.ChangeMajor.String() && pol.Meta.Change != vocab.ChangeMajor.String() {
			var majors []string
			for _, c := range changes {
				if c.Major {
					majors = append(majors, c.Kind+" "+c.Subject)
				}
			}
			l.add(CodeUnmarkedMajor, "policy.change", "version %s is declared %s but changes %s, which [update] major makes a major change", pol.Meta.Version, pol.Meta.Change, strings.Join(majors, ", "))
		}
	}
}

// lintMessages checks that every message each version needs exists in
// every supported locale, in the shared files or the version's overlay,
// and renders, and that every message is needed: a shared one by some
// version or the engine, an overlay's by its own version.
func (p *Project) lintMessages(probs *errcode.List) {
	active := p.Active()
	locales := active.Meta.Locales
	refs := map[*Policy][]msgRef{}
	needed := map[string]bool{}
	for _, pol := range p.Versions {
		refs[pol] = append(fixedMessages(), pol.references()...)
		for _, r := range refs[pol] {
			needed[r.id] = true
		}
	}
	unused := func(cats map[string]*Catalog, needed map[string]bool, what string) {
		for _, loc := range sortedKeys(cats) {
			cat := cats[loc]
			if !slices.Contains(locales, loc) {
				*probs = append(*probs, errcode.Error{Pos: errcode.Pos{File: cat.Files[0], Line: 1, Col: 1}, Code: CodeUnknownReference, Field: loc,
					Message: fmt.Sprintf("locale %s is not among policy.locales %v", loc, locales)})
				continue
			}
			for _, id := range sortedKeys(cat.Messages) {
				if !needed[id] {
					*probs = append(*probs, errcode.Error{Pos: cat.Messages[id].Pos, Code: CodeUnusedMessage, Field: id,
						Message: fmt.Sprintf(what, id)})
				}
			}
		}
	}
	unused(p.Catalogs, needed, "no policy version, step or engine text uses %s")
	for _, pol := range p.Versions {
		own := map[string]bool{}
		for _, r := range refs[pol] {
			own[r.id] = true
		}
		unused(pol.overlay, own, "version "+pol.Meta.Version+" does not use %s, and an overlay holds only its version's texts")
	}
	// Newest version first: a message every version misses is reported
	// once, where the newest names it.
	reported := map[string]bool{}
	for i := len(p.Versions) - 1; i >= 0; i-- {
		pol := p.Versions[i]
		for _, loc := range locales {
			cat := p.catalog(pol, loc)
			for _, r := range refs[pol] {
				if cat != nil && cat.Messages[r.id] != nil || reported[loc+" "+r.id] {
					continue
				}
				reported[loc+" "+r.id] = true
				pos, where := r.pos, ""
				if pos.File == "" {
					pos = p.definition(r.id)
				}
				if r.key != "" {
					where = " (used by " + r.key + ")"
				}
				file := "no " + loc + " message file"
				if cat != nil {
					file = strings.Join(cat.Files, ", ")
				}
				*probs = append(*probs, errcode.Error{Pos: pos, Code: CodeMissingMessage, Field: r.id,
					Message: fmt.Sprintf("message %s is missing in %s (%s)%s", r.id, loc, file, where)})
			}
		}
	}
	if len(*probs) > 0 {
		return // rendering needs every message in place
	}
	for _, pol := range p.Versions {
		for _, loc := range locales {
			if _, err := p.renderAll(pol, loc, p.changesOf(pol)); err != nil {
				var re *renderError
				if errors.As(err, &re) {
					*probs = append(*probs, errcode.Error{Pos: p.messagePos(pol, re.locale, re.id), Code: CodeTemplate, Field: re.id, Message: re.err.Error()})
				} else {
					*probs = append(*probs, errcode.Error{Pos: errcode.Pos{File: pol.File()}, Code: CodeTemplate, Message: err.Error()})
				}
			}
		}
	}
	p.lintExports(probs)
}

// definition returns where a message is defined in any locale, preferring
// the default one, or the first locale file.
func (p *Project) definition(id string) errcode.Pos {
	active := p.Active()
	def := active.Meta.DefaultLocale
	if c := p.catalog(active, def); c != nil && c.Messages[id] != nil {
		return c.Messages[id].Pos
	}
	for _, loc := range sortedKeys(active.catalogs) {
		if m := active.catalogs[loc].Messages[id]; m != nil {
			return m.Pos
		}
	}
	if c := p.catalog(active, def); c != nil {
		return errcode.Pos{File: c.Files[0], Line: 1, Col: 1}
	}
	return errcode.Pos{File: active.File(), Line: 1, Col: 1}
}

// changesOf returns what changed in pol from the version before it; nil
// for the first version.
func (p *Project) changesOf(pol *Policy) []Change {
	for i, v := range p.Versions {
		if v == pol && i > 0 {
			return Diff(p.Versions[i-1], pol)
		}
	}
	return nil
}

// wechatDescLimit is the longest permission description WeChat's app.json
// accepts, in characters.
const wechatDescLimit = 30

// harmonyReasonMax is the longest reason HarmonyOS takes for a permission,
// in characters (declare-permissions: at most 256).
const harmonyReasonMax = 256

// lintExports checks what the platforms limit: WeChat's app.json, which
// mini-programs ship in the default locale only, takes short descriptions;
// HarmonyOS's reasons, in every locale, at most 256 characters.
func (p *Project) lintExports(probs *errcode.List) {
	pol := p.Active()
	for _, loc := range pol.Meta.Locales {
		r, err := p.renderer(pol, loc)
		if err != nil {
			continue
		}
		seen := map[string]bool{}
		for _, d := range pol.harmonyPermissions() {
			id := "permission." + d.perm + ".usage"
			if d.perm == "" || seen[id] {
				continue
			}
			seen[id] = true
			reason, err := r.plain(id)
			if n := utf8.RuneCountInString(reason); err == nil && n > harmonyReasonMax {
				*probs = append(*probs, errcode.Error{Pos: p.messagePos(pol, loc, id), Code: CodeExport, Field: id,
					Message: "HarmonyOS takes at most " + strconv.Itoa(harmonyReasonMax) + " characters for the reason of " + d.id + "; this is " + strconv.Itoa(n)})
			}
		}
	}
	loc := pol.Meta.DefaultLocale
	if r, err := p.renderer(pol, loc); err == nil {
		for _, sp := range pol.wechatScopes() {
			id := "permission." + sp[1] + ".usage"
			desc, err := r.plain(id)
			if n := utf8.RuneCountInString(desc); err == nil && n > wechatDescLimit {
				*probs = append(*probs, errcode.Error{Pos: p.messagePos(pol, loc, id), Code: CodeExport, Field: id,
					Message: "WeChat's app.json takes at most " + strconv.Itoa(wechatDescLimit) + " characters for the desc of " + sp[0] + "; this is " + strconv.Itoa(n)})
			}
		}
	}
}

// duplicates returns the items listed more than once.
func duplicates(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range list {
		if seen[x] {
			out = append(out, x)
		}
		seen[x] = true
	}
	return out
}

// isWord reports whether s is a word of an enumeration of the vocabulary.
func isWord[E vocab.Enum](n E, s string) bool { return slices.Contains(vocab.Names(n), s) }

// known lists an enumeration's words, for messages.
func known[E vocab.Enum](n E) string { return strings.Join(vocab.Names(n), ", ") }

// countryCode reports whether s is an ISO 3166-1 alpha-2 country code as
// written: two capital letters naming a country (CN, HK), not a region
// of the world or a reserved code.
func countryCode(s string) bool {
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return false
	}
	r, err := language.ParseRegion(s)
	return err == nil && r.IsCountry() && r.String() == s
}
