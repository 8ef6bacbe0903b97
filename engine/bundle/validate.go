package bundle

import (
	"slices"
	"strconv"

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
	for _, perm := range b.Permissions {
		if _, ok := vocab.ParsePermission(perm.ID); !ok {
			return badBundle("unknown permission " + strconv.Quote(perm.ID))
		}
		for _, d := range perm.Declare {
			if _, ok := vocab.ParsePlatform(d.Platform); !ok {
				return badBundle("permission " + perm.ID + ": unknown platform " + strconv.Quote(d.Platform))
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
	for _, sc := range b.Scenarios {
		for _, st := range sc.Steps {
			where := "step " + sc.ID + "/" + st.ID
			for _, sp := range st.Permissions {
				if _, ok := vocab.ParsePermission(sp.ID); !ok {
					return badBundle(where + ": unknown permission " + strconv.Quote(sp.ID))
				}
				if _, ok := vocab.ParseConsequence(sp.Consequence); !ok {
					return badBundle(where + ": unknown consequence " + strconv.Quote(sp.Consequence))
				}
				for _, c := range sp.Platforms {
					if _, ok := vocab.ParsePlatform(c.Platform); !ok {
						return badBundle(where + ": " + sp.ID + ": unknown platform " + strconv.Quote(c.Platform))
					}
				}
				keys := []string{sp.Purpose, sp.Refusal, sp.Fallback}
				if sp.SeparateConsent {
					keys = append(keys, SeparateText(sp.Sensitive))
				}
				for _, key := range keys {
					if err := need(where, key); err != nil {
						return err
					}
				}
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
		if _, ok := vocab.ParseSDKStart(s.Start); !ok {
			return badBundle("sdk " + s.ID + ": unknown start " + strconv.Quote(s.Start))
		}
		for _, pl := range s.Platforms {
			if _, ok := vocab.ParsePlatform(pl); !ok {
				return badBundle("sdk " + s.ID + ": unknown platform " + strconv.Quote(pl))
			}
		}
	}
	return nil
}

// EngineTexts returns the keys of the texts that the engine shows whatever
// the policy: the policy popup, the basic-mode notice and the buttons.
func EngineTexts() []string { return slices.Clone(engineTexts[:]) }

var engineTexts = [...]string{
	"policy.title", "policy.body", "policy.accept", "policy.decline",
	"policy.update.title", "policy.update.major", "policy.update.minor",
	"policy.update.accept", "policy.update.decline", "policy.update.ack",
	"basic_mode.body", "rationale.accept", "rationale.decline",
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

// SeparateText is the key of the notice that a rationale for sensitive
// data of a category carries: it asks for separate consent.
func SeparateText(category string) string {
	return "rationale.separate:" + category
}
