package engine

import "github.com/jitconsent/jitconsent/engine/vocab"

// Reading older states (STATE of docs/RULES.md): a user who consented
// yesterday is not asked again because the state's layout changed, and a
// time recorded while the device clock ran ahead counts from now.

// upgradeV1 turns a version 1 state into the current one. Version 1
// recorded a separate consent by permission and category, with no
// purpose; it becomes the consent of the one purpose for which a step of
// this policy asks that category together with that permission. Where
// steps of different purposes could have asked it, or none does, it is
// not carried over (consent never moves to another purpose) and the step
// asks again. A step in progress keeps its place: version 1 counted only
// permissions, and a step's own consents now come first.
func (d *decision) upgradeV1(st *state, x *stateExtra) {
	e := d.e
	d.note(vocab.RuleState, "state version 1 upgraded to version 2: consents and refusals are kept")
	for p := range vocab.NumPermissions {
		for c := range vocab.NumSensitive {
			if x.separate[p]&(1<<c) == 0 {
				continue
			}
			target, where, ambiguous := -1, "", false
			e.eachAsker(p, c, func(ci int, step string) {
				switch {
				case target < 0:
					target, where = ci, step
				case target != ci:
					ambiguous = true
				}
			})
			given := c.String() + " given with " + p.String()
			switch {
			case target < 0:
				d.note(vocab.RuleState, "the separate consent to ", given, " under state version 1 matches no step of this policy: it is not carried over")
			case ambiguous:
				d.note(vocab.RuleState, "the separate consent to ", given, " under state version 1 could be for several purposes (steps asking it have different ones): it is asked again in its step")
			default:
				st.consents.give(target)
				d.note(vocab.RuleState, "the separate consent to ", given, " under state version 1 is the consent to ", e.consents[target].id, " of ", where)
			}
		}
	}
	if f := &st.flow; f.step.sc >= 0 {
		n, unanswered := 0, false
		for _, sp := range e.scens[f.step.sc].steps[f.step.st].asks {
			if sp.perm == noPerm {
				n++
				unanswered = unanswered || !st.consents.has(sp.consent)
			}
		}
		f.i += n
		f.missing <<= n
		if unanswered {
			// The step now asks a consent first that version 1 did not:
			// going on from where it stood would skip it.
			st.flow = flow{step: noStep}
			d.note(vocab.RuleState, "the step in progress under state version 1 now asks a separate consent first: it is dropped and starts again when entered")
		}
	}
}

// eachAsker calls fn with every consent to category c that a step asks
// together with permission p: on p's own rationale, or on a consent
// screen of the same step.
func (e *Engine) eachAsker(p vocab.Permission, c vocab.Sensitive, fn func(consent int, step string)) {
	for i := range e.scens {
		for j := range e.scens[i].steps {
			step := &e.scens[i].steps[j]
			hasPerm := false
			for _, sp := range step.asks {
				hasPerm = hasPerm || sp.perm == p
			}
			if !hasPerm {
				continue
			}
			for _, sp := range step.asks {
				if sp.separate && sp.sensitive == c && (sp.perm == p || sp.perm == noPerm) {
					fn(sp.consent, step.name)
				}
			}
		}
	}
}

// clampTimes reads every recorded time later than now as now: a refusal
// recorded while the device clock ran ahead must not outlast the
// cooldown once the clock is right (COOLDOWN). The state returned keeps
// the clamped time.
func (d *decision) clampTimes(st *state) {
	now := d.r.now
	clamped := false
	for p := range st.perms {
		if t := &st.perms[p].refused; *t > now {
			*t, clamped = now, true
		}
	}
	for i := range st.consents.refused {
		if t := &st.consents.refused[i]; *t > now {
			*t, clamped = now, true
		}
	}
	if clamped {
		d.note(vocab.RuleCooldown, "a refusal is recorded later than now (the device clock ran ahead): it counts from now")
	}
}
