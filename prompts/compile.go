package prompts

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// renderAll renders every message that a version needs in one locale,
// each with the data of its kind, and returns the texts that go into the
// bundle under their bundle keys. changes are the version's changes from
// the one before (nil for the first).
func (p *Project) renderAll(pol *Policy, loc string, changes []Change) (map[string]string, error) {
	r, err := p.renderer(pol, loc)
	if err != nil {
		return nil, err
	}
	texts := map[string]string{}
	refs := append(fixedMessages(), pol.references()...)
	consents := pol.stepConsents()
	categories := map[string]bool{}
	for _, c := range consents {
		categories[c.Sensitive] = true
	}
	done := map[string]bool{}
	for _, ref := range refs {
		if done[ref.id] {
			continue
		}
		done[ref.id] = true
		switch ref.kind {
		case kindRaw:
			s, err := r.render(ref.id, nil)
			if err != nil {
				return nil, err
			}
			if ref.bundle {
				texts[ref.id] = s
			}
		case kindPlain:
			s, err := r.plain(ref.id)
			if err != nil {
				return nil, err
			}
			if ref.bundle {
				texts[ref.id] = s
			}
		case kindPermission:
			for _, perm := range pol.Permissions {
				platform, isSettings := strings.CutPrefix(ref.id, "settings.body.")
				if isSettings && !perm.available(platform) {
					continue
				}
				s, err := r.permission(ref.id, perm.ID, isSettings && perm.special(platform))
				if err != nil {
					return nil, err
				}
				texts[ref.id+":"+perm.ID] = s
			}
		case kindSensitive:
			for _, cat := range vocab.Names(vocab.NumSensitive) {
				if !categories[cat] {
					continue
				}
				s, err := r.sensitive(ref.id, cat)
				if err != nil {
					return nil, err
				}
				texts[ref.id+":"+cat] = s
			}
		case kindSeparate:
			for _, c := range consents {
				s, err := r.separate(ref.id, c.Sensitive, c.Purpose, pol)
				if err != nil {
					return nil, err
				}
				texts[bundle.SeparateText(c.Sensitive, c.Purpose)] = s
			}
		case kindChange:
			// Rendered below, once per change; a kind no change uses is
			// still rendered, so that its template is checked.
			kind := ref.id[len("change."):]
			if !containsKind(changes, kind) {
				if _, err := r.render(ref.id, ChangeData{PolicyData: r.data}); err != nil {
					return nil, err
				}
			}
		}
	}
	for i, c := range changes {
		s, err := r.change(c, pol)
		if err != nil {
			return nil, err
		}
		texts[changeKey(pol.Meta.Version, i)] = s
	}
	return texts, nil
}

// stepConsents returns every separate consent that some step asks, as a
// consent screen of its own or with a permission, each once, in policy
// order.
func (pol *Policy) stepConsents() []bundle.Consent {
	var out []bundle.Consent
	add := func(sensitive, purpose string) {
		c := bundle.Consent{Sensitive: sensitive, Purpose: purpose}
		if sensitive != "" && purpose != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for _, sc := range pol.Scenarios {
		for _, st := range sc.Steps {
			for _, c := range st.Consents {
				add(c.Sensitive, c.SeparateConsent)
			}
			for _, sp := range st.Permissions {
				add(sp.Sensitive, sp.SeparateConsent)
			}
		}
	}
	return out
}

func containsKind(changes []Change, kind string) bool {
	for _, c := range changes {
		if c.Kind == kind {
			return true
		}
	}
	return false
}

func changeKey(version string, i int) string {
	return "change:" + version + ":" + strconv.Itoa(i)
}

// Compile lints a project and, if it has no problem, builds the bundle of
// its active version with the history of every version loaded.
func Compile(p *Project) (*bundle.Bundle, error) {
	if probs := Lint(p); len(probs) > 0 {
		return nil, probs
	}
	pol := p.Active()
	b := &bundle.Bundle{
		Format: bundle.Format,
		Policy: bundle.Policy{
			ID: pol.Meta.ID, Version: pol.Meta.Version,
			Published: pol.Meta.Published.String(), Effective: pol.Meta.Effective.String(),
			DefaultLocale: pol.Meta.DefaultLocale, Locales: pol.Meta.Locales,
			CooldownSeconds: int64(pol.Meta.Cooldown.Seconds()),
		},
		Texts: map[string]map[string]string{},
	}
	for _, kind := range LinkKinds {
		b.Policy.Links = append(b.Policy.Links, bundle.Link{Kind: kind, Title: LinkTitle(kind), URLs: pol.Links.URLs(kind)})
	}
	c := pol.Controller
	b.Policy.Controller = &bundle.Controller{
		Name: c.Name, Short: c.Short, Address: c.Address, Contact: c.Contact,
		Phone: c.Phone, Email: c.Email, Jurisdiction: c.Jurisdiction,
	}
	var history [][]Change
	for i, v := range p.Versions {
		var changes []Change
		hv := bundle.Version{Version: v.Meta.Version, Effective: v.Meta.Effective.String(), Change: vocab.ChangeFirst.String()}
		if i > 0 {
			changes = Diff(p.Versions[i-1], v)
			hv.Change = Classify(changes)
			if v.Meta.Change == vocab.ChangeMajor.String() {
				hv.Change = vocab.ChangeMajor.String() // the authors may know of a major change no diff can see (section 9.2, 9.6)
			}
			for j, c := range changes {
				hv.Changes = append(hv.Changes, bundle.Change{Kind: c.Kind, Class: c.Class, Subject: c.Subject, Major: c.Major, Text: changeKey(v.Meta.Version, j)})
			}
		}
		history = append(history, changes)
		b.History = append(b.History, hv)
	}
	for _, loc := range pol.Meta.Locales {
		texts := map[string]string{}
		for i, v := range p.Versions {
			if v == pol {
				continue
			}
			// Older versions contribute only the lines of what changed.
			r, err := p.renderer(v, loc)
			if err != nil {
				return nil, err
			}
			for j, c := range history[i] {
				s, err := r.change(c, v)
				if err != nil {
					return nil, err
				}
				texts[changeKey(v.Meta.Version, j)] = s
			}
		}
		own, err := p.renderAll(pol, loc, history[len(history)-1])
		if err != nil {
			return nil, err
		}
		for k, v := range own {
			texts[k] = v
		}
		b.Texts[loc] = texts
	}
	for _, perm := range pol.Permissions {
		bp := bundle.Permission{ID: perm.ID}
		for _, d := range perm.Declare {
			bp.Declare = append(bp.Declare, bundleDeclare(d))
		}
		b.Permissions = append(b.Permissions, bp)
	}
	for _, pu := range pol.Purposes {
		b.Purposes = append(b.Purposes, bundle.Purpose{ID: pu.ID, Name: pu.Name})
	}
	for _, sc := range pol.Scenarios {
		bs := bundle.Scenario{ID: sc.ID, Steps: []bundle.Step{}}
		for _, st := range sc.Steps {
			bt := bundle.Step{ID: st.ID, Unavailable: st.Unavailable}
			for _, c := range st.Consents {
				bt.Consents = append(bt.Consents, bundle.StepPermission{
					Consequence: c.Consequence,
					Purpose:     c.Purpose, Refusal: c.Refusal, Fallback: c.Fallback,
					Sensitive: c.Sensitive, ConsentPurpose: c.SeparateConsent,
					Platforms: consentConstraints(c),
				})
			}
			for _, sp := range st.Permissions {
				bt.Permissions = append(bt.Permissions, bundle.StepPermission{
					ID: sp.ID, Access: accessWord(sp.AccessLevel()), Consequence: sp.Consequence,
					Purpose: sp.Purpose, Refusal: sp.Refusal, Fallback: sp.Fallback,
					Sensitive: sp.Sensitive, ConsentPurpose: sp.SeparateConsent,
					Platforms: pol.stepConstraints(sp),
				})
			}
			for _, p := range st.SystemPrompts {
				bt.SystemPrompts = append(bt.SystemPrompts, bundle.SystemPrompt{Platform: p.Platform, Min: p.Min, Max: p.Max, API: p.API})
			}
			bs.Steps = append(bs.Steps, bt)
		}
		b.Scenarios = append(b.Scenarios, bs)
	}
	for _, s := range pol.SDKs {
		bs := bundle.SDK{ID: s.ID, Category: s.Category, Platforms: s.Platforms, Scenarios: s.Scenarios, Requires: s.Requires}
		for _, c := range s.Consents {
			bs.Consents = append(bs.Consents, bundle.Consent{Sensitive: c.Sensitive, Purpose: c.Purpose})
		}
		for _, o := range s.Optional {
			bs.Optional = append(bs.Optional, bundle.OptionalData{Data: o.Data, Permission: o.Permission, Sensitive: o.Sensitive, Purpose: o.Purpose})
		}
		b.SDKs = append(b.SDKs, bs)
	}
	if err := b.Validate(); err != nil {
		return nil, err // a compiler bug: the linter let through what the reader refuses
	}
	return b, nil
}

// bundleDeclare writes a declare row as the bundle carries it: the access
// level and the grant spelled out except for the defaults (full, runtime),
// so that a picker row says grant none.
func bundleDeclare(d Declare) bundle.Declare {
	bd := bundle.Declare{Platform: d.Platform, Min: d.Min, Max: d.Max, IDs: d.IDs, API: d.API, Settings: d.Settings}
	if bd.IDs == nil {
		bd.IDs = []string{} // the bundle's reader wants an array: a none row declares nothing
	}
	bd.Access = accessWord(d.AccessLevel())
	if g := d.GrantKind(); g != vocab.GrantRuntime {
		bd.Grant = g.String()
	}
	return bd
}

// accessWord is an access level as the bundle writes it: "" for full.
func accessWord(a vocab.Access) string {
	if a == vocab.AccessFull {
		return ""
	}
	return a.String()
}

// Marshal encodes a bundle as compact JSON and seals it in an envelope
// with its content hash, unsigned. encoding/json writes struct fields in
// order and map keys sorted, so the same project always gives the same
// bytes and the same hash.
func Marshal(b *bundle.Bundle) ([]byte, error) {
	payload, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return bundle.Seal(payload)
}
