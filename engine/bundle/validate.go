package bundle

import (
	"slices"
	"strconv"
	"strings"

	"github.com/jitconsent/jitconsent/engine/vocab"
)

// Validate checks that a bundle is complete and consistent enough for the
// engine to trust every lookup it makes: known vocabulary, every text the
// engine may show present in every locale, and a history ending at the
// active version. The compiler's linter checks much more; this is the
// reader's own guard against a bundle that was built by something else.
func (b *Bundle) Validate() error {
	if b.Format != Format {
		return badBundle("format " + strconv.Itoa(b.Format) + " is not " + strconv.Itoa(Format))
	}
	p := b.Policy
	if p.ID == "" || p.Version == "" {
		return badBundle("policy.id and policy.version are required")
	}
	if !slices.Contains(p.Locales, p.DefaultLocale) {
		return badBundle("policy.default_locale must be one of policy.locales")
	}
	if p.CooldownSeconds < 0 {
		return badBundle("policy.cooldown_seconds is negative")
	}
	if len(b.History) == 0 || b.History[len(b.History)-1].Version != p.Version {
		return badBundle("history must end with the active version " + p.Version)
	}
	for _, loc := range p.Locales {
		if b.Texts[loc] == nil {
			return badBundle("texts for locale " + loc + " are missing")
		}
	}
	need := func(where, key string) error {
		if key == "" {
			return nil
		}
		for _, loc := range p.Locales {
			if b.Texts[loc][key] == "" {
				return badBundle(where + ": text " + strconv.Quote(key) + " is missing in " + loc)
			}
		}
		return nil
	}
	for _, key := range engineTexts {
		if err := need("engine", key); err != nil {
			return err
		}
	}
	kinds := map[string]bool{}
	for i, l := range p.Links {
		where := "policy.links[" + strconv.Itoa(i) + "]"
		if l.Kind == "" {
			return badBundle(where + ": a link has no kind")
		}
		if kinds[l.Kind] {
			return badBundle(where + ": link " + strconv.Quote(l.Kind) + " is listed twice")
		}
		kinds[l.Kind] = true
		if l.Title == "" {
			return badBundle(where + ": link " + l.Kind + " has no title")
		}
		if err := need("link "+l.Kind, l.Title); err != nil {
			return err
		}
		for _, loc := range p.Locales {
			if !HTTPSURL(l.URLs[loc]) {
				return badBundle("link " + l.Kind + ": " + strconv.Quote(l.URLs[loc]) + " is not an https URL for " + loc)
			}
		}
	}
	if c := p.Controller; c != nil {
		for _, f := range []struct{ name, key string }{{"name", c.Name}, {"short", c.Short}, {"address", c.Address}, {"contact", c.Contact}} {
			if f.key == "" {
				return badBundle("policy.controller." + f.name + " is required")
			}
			if err := need("policy.controller."+f.name, f.key); err != nil {
				return err
			}
		}
		switch {
		case strings.TrimSpace(c.Phone) == "" || strings.TrimSpace(c.Email) == "":
			return badBundle("policy.controller: phone and email are required")
		case !countryCode(c.Jurisdiction):
			return badBundle("policy.controller.jurisdiction: " + strconv.Quote(c.Jurisdiction) + " is not an ISO 3166-1 alpha-2 code")
		}
	}
	for _, perm := range b.Permissions {
		if _, ok := vocab.ParsePermission(perm.ID); !ok {
			return badBundle("unknown permission " + strconv.Quote(perm.ID))
		}
		for i, d := range perm.Declare {
			if err := d.validate("permission " + perm.ID + ": declare[" + strconv.Itoa(i) + "]"); err != nil {
				return err
			}
		}
		keys := []string{"permission." + perm.ID + ".name"}
		for _, key := range permissionTexts {
			keys = append(keys, PermissionText(key, perm.ID))
		}
		for _, d := range perm.Declare {
			keys = append(keys, SettingsText(d.Platform, perm.ID))
		}
		for _, key := range keys {
			if err := need("permission "+perm.ID, key); err != nil {
				return err
			}
		}
	}
	purposes := map[string]bool{}
	for _, pu := range b.Purposes {
		if pu.ID == "" {
			return badBundle("a purpose has no id")
		}
		if purposes[pu.ID] {
			return badBundle("purpose " + strconv.Quote(pu.ID) + " is defined twice")
		}
		purposes[pu.ID] = true
		if pu.Name == "" {
			return badBundle("purpose " + pu.ID + " has no name")
		}
		if err := need("purpose "+pu.ID, pu.Name); err != nil {
			return err
		}
	}
	// consent checks a category and purpose that must come together.
	consent := func(where, sensitive, purpose string) error {
		if (sensitive == "") != (purpose == "") {
			return badBundle(where + ": a sensitive category and a consent purpose come together")
		}
		if sensitive == "" {
			return nil
		}
		if _, ok := vocab.ParseSensitive(sensitive); !ok {
			return badBundle(where + ": unknown sensitive category " + strconv.Quote(sensitive))
		}
		if !purposes[purpose] {
			return badBundle(where + ": unknown purpose " + strconv.Quote(purpose))
		}
		return nil
	}
	version := func(where, v string) error {
		if v == "" {
			return nil
		}
		if _, err := ParseVersion(v); err != nil {
			return badBundle(where + ": " + err.Error())
		}
		return nil
	}
	steps := map[string]bool{}
	for _, sc := range b.Scenarios {
		steps[sc.ID] = true
		for _, st := range sc.Steps {
			where := "step " + sc.ID + "/" + st.ID
			steps[sc.ID+"/"+st.ID] = true
			asks := make([]StepPermission, 0, len(st.Consents)+len(st.Permissions))
			for _, sp := range st.Consents {
				if sp.ID != "" {
					return badBundle(where + ": consent " + sp.Sensitive + "/" + sp.ConsentPurpose + " names a permission " + strconv.Quote(sp.ID))
				}
				if !sp.Separate() {
					return badBundle(where + ": a consent needs a sensitive category and a purpose")
				}
				asks = append(asks, sp)
			}
			for _, sp := range st.Permissions {
				if _, ok := vocab.ParsePermission(sp.ID); !ok {
					return badBundle(where + ": unknown permission " + strconv.Quote(sp.ID))
				}
				asks = append(asks, sp)
			}
			for _, sp := range asks {
				what := sp.ID
				if what == "" {
					what = "consent " + sp.Sensitive + "/" + sp.ConsentPurpose
				}
				if _, ok := vocab.ParseConsequence(sp.Consequence); !ok {
					return badBundle(where + ": " + what + ": unknown consequence " + strconv.Quote(sp.Consequence))
				}
				if len(sp.Platforms) == 0 {
					// The compiler lists every platform an ask applies on;
					// none would be an ask made nowhere, and for a consent
					// the step would go on without it.
					return badBundle(where + ": " + what + ": no platforms: it would be asked nowhere")
				}
				for _, c := range sp.Platforms {
					if _, ok := vocab.ParsePlatform(c.Platform); !ok {
						return badBundle(where + ": " + what + ": unknown platform " + strconv.Quote(c.Platform))
					}
				}
				if _, ok := vocab.ParseAccess(sp.Access); sp.Access != "" && !ok {
					return badBundle(where + ": " + what + ": unknown access " + strconv.Quote(sp.Access))
				}
				if sp.ID == "" && sp.Access != "" {
					return badBundle(where + ": " + what + ": a consent has no access level")
				}
				if err := consent(where+": "+what, sp.Sensitive, sp.ConsentPurpose); err != nil {
					return err
				}
				keys := []string{sp.Purpose, sp.Refusal, sp.Fallback}
				if sp.Separate() {
					keys = append(keys, SeparateText(sp.Sensitive, sp.ConsentPurpose),
						ConsentText(ConsentTitle, sp.Sensitive), ConsentText(ConsentBlock, sp.Sensitive))
				}
				for _, key := range keys {
					if err := need(where, key); err != nil {
						return err
					}
				}
			}
			for _, p := range st.SystemPrompts {
				if _, ok := vocab.ParsePlatform(p.Platform); !ok {
					return badBundle(where + ": system prompt: unknown platform " + strconv.Quote(p.Platform))
				}
				if p.API == "" {
					return badBundle(where + ": a system prompt on " + p.Platform + " names no api")
				}
				for _, v := range []string{p.Min, p.Max} {
					if err := version(where+": system prompt on "+p.Platform, v); err != nil {
						return err
					}
				}
			}
			if len(st.SystemPrompts) > 0 && st.Unavailable == "" {
				return badBundle(where + ": a step with system prompts needs an unavailable text")
			}
			if err := need(where, st.Unavailable); err != nil {
				return err
			}
		}
	}
	for _, v := range b.History {
		for _, c := range v.Changes {
			if err := need("version "+v.Version, c.Text); err != nil {
				return err
			}
		}
	}
	for _, s := range b.SDKs {
		where := "sdk " + s.ID
		if _, ok := vocab.ParseSDKCategory(s.Category); !ok {
			return badBundle(where + ": unknown category " + strconv.Quote(s.Category))
		}
		for _, pl := range s.Platforms {
			if _, ok := vocab.ParsePlatform(pl); !ok {
				return badBundle(where + ": unknown platform " + strconv.Quote(pl))
			}
		}
		for _, ref := range s.Scenarios {
			if !steps[ref] {
				return badBundle(where + ": no scenario or step " + strconv.Quote(ref))
			}
		}
		for _, perm := range s.Requires {
			if _, ok := vocab.ParsePermission(perm); !ok {
				return badBundle(where + ": requires unknown permission " + strconv.Quote(perm))
			}
		}
		for _, c := range s.Consents {
			if c.Sensitive == "" {
				return badBundle(where + ": a consent needs a sensitive category and a purpose")
			}
			if err := consent(where, c.Sensitive, c.Purpose); err != nil {
				return err
			}
		}
		for _, o := range s.Optional {
			if o.Data == "" {
				return badBundle(where + ": optional data needs a data type")
			}
			if _, ok := vocab.ParsePermission(o.Permission); o.Permission != "" && !ok {
				return badBundle(where + ": optional " + o.Data + ": unknown permission " + strconv.Quote(o.Permission))
			}
			if err := consent(where+": optional "+o.Data, o.Sensitive, o.Purpose); err != nil {
				return err
			}
		}
	}
	return nil
}

// HTTPSURL reports whether s is an https URL with a host and no user
// information: what a link may open. It is written out rather than taken
// from net/url, which would bring fmt into the module.
func HTTPSURL(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		return false
	}
	host := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host = rest[:i]
	}
	if host == "" || strings.Contains(host, "@") {
		return false
	}
	for _, c := range s {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// validate checks a declaration row: known words, and what each grant
// needs (docs/PLATFORMS.md).
func (d *Declare) validate(where string) error {
	if _, ok := vocab.ParsePlatform(d.Platform); !ok {
		return badBundle(where + ": unknown platform " + strconv.Quote(d.Platform))
	}
	for _, v := range []string{d.Min, d.Max} {
		if _, err := ParseVersion(v); v != "" && err != nil {
			return badBundle(where + ": " + err.Error())
		}
	}
	access, ok := vocab.ParseAccess(d.Access)
	if d.Access != "" && !ok {
		return badBundle(where + ": unknown access " + strconv.Quote(d.Access))
	}
	grant, ok := vocab.ParseGrant(d.Grant)
	if d.Grant != "" && !ok {
		return badBundle(where + ": unknown grant " + strconv.Quote(d.Grant))
	}
	for _, id := range d.IDs {
		if id == "" {
			return badBundle(where + ": an empty identifier")
		}
	}
	switch {
	case access == vocab.AccessPicker && grant != vocab.GrantNone:
		return badBundle(where + ": a picker needs no permission: its grant is none")
	case grant == vocab.GrantNone && (d.API == "" || len(d.IDs) > 0):
		return badBundle(where + ": a row with grant none names its api and no identifiers")
	case grant != vocab.GrantNone && d.API != "":
		return badBundle(where + ": only a row with grant none names an api")
	case grant == vocab.GrantSpecial && d.Settings == "":
		return badBundle(where + ": a special access names the settings that grant it")
	case grant != vocab.GrantSpecial && d.Settings != "":
		return badBundle(where + ": only a special access names settings")
	case (grant == vocab.GrantRuntime || grant == vocab.GrantInstall) && len(d.IDs) == 0:
		return badBundle(where + ": a " + grant.String() + " row names its identifiers")
	}
	return nil
}

// EngineTexts returns the keys of the texts that the engine shows whatever
// the policy: the policy popup, the basic-mode notice and the buttons of
// rationales and consent screens.
func EngineTexts() []string { return slices.Clone(engineTexts[:]) }

var engineTexts = [...]string{
	"policy.title", "policy.body", "policy.accept", "policy.decline",
	"policy.update.title", "policy.update.major", "policy.update.minor",
	"policy.update.accept", "policy.update.decline",
	"basic_mode.body", "rationale.accept", "rationale.decline",
	"consent.accept", "consent.decline",
}

// PermissionText is the key of a text rendered once per permission: the
// rationale's, the settings hint's and the block message's titles. A
// permission's own name is under "permission.<permission>.name".
func PermissionText(id, permission string) string { return id + ":" + permission }

// The ids of the texts rendered once per permission.
const (
	RationaleTitle = "rationale.title"
	SettingsTitle  = "settings.title"
	BlockTitle     = "block.title"
)

var permissionTexts = [...]string{RationaleTitle, SettingsTitle, BlockTitle}

// SettingsText is the key of the settings guidance for a permission on a
// platform: the way to the setting differs between platforms.
func SettingsText(platform, permission string) string {
	return "settings.body." + platform + ":" + permission
}

// SeparateText is the key of the notice that a rationale or a consent
// screen for sensitive data of a category carries: it asks for separate
// consent to that category for one purpose (rendered with the category's
// and the purpose's names).
func SeparateText(category, purpose string) string {
	return "rationale.separate:" + category + "/" + purpose
}

// ConsentText is the key of a text rendered once per sensitive category
// that some step asks separate consent to: ConsentTitle, the title of the
// consent screen, or ConsentBlock, the title of a block that a declined
// consent causes.
func ConsentText(id, category string) string { return id + ":" + category }

// The ids of the texts rendered once per consented category.
const (
	ConsentTitle = "consent.title"
	ConsentBlock = "consent.block"
)

// countryCode reports whether s has the form of an ISO 3166-1 alpha-2
// code: two capital letters. (The compiler's linter checks that it names
// a country.)
func countryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
