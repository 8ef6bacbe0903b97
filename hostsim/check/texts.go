package check

import (
	"strings"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// texts reports a screen whose words are not the policy's (the bundle in
// force): a rationale's or consent screen's title, body (the purpose, and
// for sensitive data the line asking separate consent), consequence and
// buttons; a block's title and body; a settings hint; an unavailable
// step's text; a policy popup's title, body, lines of change, links and
// buttons. It judges
// runs in a locale the policy has as it is; the engine's fallback for
// other tags is not re-derived here.
func (c *checker) texts(i int, e *sim.Entry) {
	b := c.p.b
	loc := c.t.Locale
	if b.Texts[loc] == nil {
		return
	}
	t := func(key string) string { return b.Text(loc, key) }
	// body is a screen's purpose and, where the screen asks the separate
	// consent (a consent screen; a rationale that carries it), the line
	// that says so.
	body := func(sp *bundle.StepPermission, asks bool) string {
		s := t(sp.Purpose)
		if sp.Separate() && asks {
			s += "\n" + t(bundle.SeparateText(sp.Sensitive, sp.ConsentPurpose))
		}
		return s
	}
	for k := range e.Response.Actions {
		a := &e.Response.Actions[k]
		var want [][2]string // field, and the policy's text
		switch a.Type {
		case "show_rationale":
			sp := c.p.stepPermission(e.Step, a.Permission)
			if sp == nil {
				continue
			}
			// On iOS the screen has one button (RATIONALE judges a
			// decline button there) and never asks a consent (SEPARATE).
			decline := t("rationale.decline")
			if c.t.Profile.Platform == "ios" {
				decline = a.Decline
			}
			want = [][2]string{{a.Title, t(bundle.PermissionText(bundle.RationaleTitle, a.Permission))}, {a.Body, body(sp, a.Consent() != "")},
				{a.Consequence, t(sp.Refusal)}, {a.Accept, t("rationale.accept")}, {a.Decline, decline}}
		case "show_consent":
			sp := c.p.stepConsent(e.Step, sim.Consent(a.Sensitive, a.Purpose))
			if sp == nil {
				continue
			}
			want = [][2]string{{a.Title, t(bundle.ConsentText(bundle.ConsentTitle, a.Sensitive))}, {a.Body, body(sp, true)},
				{a.Consequence, t(sp.Refusal)}, {a.Accept, t("consent.accept")}, {a.Decline, t("consent.decline")}}
		case "block":
			if a.Permission != "" {
				if sp := c.p.stepPermission(e.Step, a.Permission); sp != nil {
					want = [][2]string{{a.Title, t(bundle.PermissionText(bundle.BlockTitle, a.Permission))}, {a.Body, t(sp.Refusal)}}
				}
			} else if sp := c.p.stepConsent(e.Step, sim.Consent(a.Sensitive, a.Purpose)); sp != nil {
				want = [][2]string{{a.Title, t(bundle.ConsentText(bundle.ConsentBlock, a.Sensitive))}, {a.Body, t(sp.Refusal)}}
			}
		case "open_settings":
			want = [][2]string{{a.Title, t(bundle.PermissionText(bundle.SettingsTitle, a.Permission))},
				{a.Body, t(bundle.SettingsText(c.t.Profile.Platform, a.Permission))}}
		case "unavailable":
			if st := c.p.steps[e.Step]; st != nil {
				want = [][2]string{{a.Body, t(st.Unavailable)}}
			}
		case "show_policy":
			want = c.popupTexts(a, t)
		}
		for _, w := range want {
			if w[0] != w[1] {
				c.fault(i, Contract, "%s in %s shows %q where the policy's %s text is %q", a.Type, stepName(e.Step), w[0], loc, w[1])
				break
			}
		}
	}
}

// popupTexts are the fields of a policy popup and the policy's texts for
// them: the first popup's, or an update's with the lines of what changed
// in each version after the one on record.
func (c *checker) popupTexts(a *sim.Action, t func(string) string) [][2]string {
	b := c.p.b
	if a.Change == "first" {
		return [][2]string{{a.Title, t("policy.title")}, {a.Body, t("policy.body")}, {strings.Join(a.Changes, "\n"), ""},
			{links(a), c.links(t)}, {a.Accept, t("policy.accept")}, {a.Decline, t("policy.decline")}}
	}
	body := "policy.update.major"
	if a.Change == "minor" {
		body = "policy.update.minor"
	}
	var lines []string
	after := c.onRecord == nil
	for _, v := range b.History {
		if after {
			for _, ch := range v.Changes {
				lines = append(lines, t(ch.Text))
			}
		}
		after = after || v.Version == c.onRecord.Version()
	}
	return [][2]string{{a.Title, t("policy.update.title")}, {a.Body, t(body)}, {strings.Join(a.Changes, "\n"), strings.Join(lines, "\n")},
		{links(a), c.links(t)}, {a.Accept, t("policy.update.accept")}, {a.Decline, t("policy.update.decline")}}
}

// links writes a popup's links as "kind title url" lines.
func links(a *sim.Action) string {
	var out []string
	for _, l := range a.Links {
		out = append(out, l.Kind+" "+l.Title+" "+l.URL)
	}
	return strings.Join(out, "\n")
}

// links writes the policy's links in the run's locale as a popup shows them.
func (c *checker) links(t func(string) string) string {
	var out []string
	for _, l := range c.p.b.Policy.Links {
		out = append(out, l.Kind+" "+t(l.Title)+" "+l.URLs[c.t.Locale])
	}
	return strings.Join(out, "\n")
}
