package engine

import (
	"github.com/jitconsent/jitconsent/engine/errcode"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// The rules of docs/RULES.md, applied to one event: each function here
// moves the state on and adds the actions and trace entries its rule
// calls for. Which SDKs run is sdk.go's; receipts are receipt.go's.

// run applies the event to the state.
func (d *decision) run() {
	st, ev := &d.st, &d.r.ev
	switch ev.typ {
	case vocab.EventLaunch:
		st.flow = flow{step: noStep}
		st.resume, st.at = noStep, noStep
		d.policyGate(false, true)
	case vocab.EventPolicyAnswer:
		d.policyAnswer()
	case vocab.EventEnter:
		ref := stepRef{ev.scenario, ev.step}
		st.flow = flow{step: noStep}
		if !d.policyGate(true, false) {
			st.resume = ref
			return
		}
		d.enter(ref)
	case vocab.EventRationaleAnswer:
		d.rationaleAnswer()
	case vocab.EventPermissionResult:
		d.permissionResult()
	case vocab.EventWithdraw:
		d.withdraw()
	case vocab.EventConsentAnswer:
		d.consentAnswer()
	case vocab.EventRestore:
		d.restore()
	}
}

// restore replaces the state with the one the request's receipts record
// (rebuild.go): its lasting part, with no popup or step waiting. Nothing
// is shown; the SDKs that run follow the state rebuilt.
func (d *decision) restore() {
	st := d.st
	if d.dropped {
		st = freshState() // the chain must start at its first receipt
	}
	st.pending, st.popupText, st.popupLocale = popNone, [32]byte{}, 0
	st.resume, st.at, st.flow = noStep, noStep, flow{step: noStep}
	r := &d.r
	var cp *checkpoint
	if r.hasCP {
		cp = &r.cp
	}
	if err := d.e.rebuild(&st, r.data, r.rcptStart, r.rcptEnd, r.installation, cp); err != nil {
		d.fail = err
		return
	}
	d.clampTimes(&st)
	d.st = st
	d.note(vocab.RuleState, "the state is rebuilt from the installation's receipts, the record: consents, refusals and withdrawals as they record them; no screen waits")
}

// popupDue tells which policy popup the state needs: the first one, a
// blocking one for a major update, a non-blocking one for a minor update
// (at launch while it is not accepted, otherwise only when not yet
// shown: a declined minor update is offered again at the next launch,
// not on every step), or none.
func (d *decision) popupDue(launching bool) popup {
	st := &d.st
	last := len(d.e.history) - 1
	if st.accepted < 0 {
		return popFirst
	}
	if st.accepted == last {
		return popNone
	}
	for i := st.accepted + 1; i <= last; i++ {
		if d.e.history[i].major {
			return popMajor
		}
	}
	if st.seen < last || launching {
		return popMinor
	}
	return popNone
}

// policyGate shows the policy popup that is due before anything else
// (PRECONSENT, RECONSENT, BASIC_MODE) and reports whether the flow may go
// on. entering says the user asked for a function: a declined policy is
// then offered again, while a launch only shows the basic-mode notice.
func (d *decision) policyGate(entering, launching bool) bool {
	st := &d.st
	pop := d.popupDue(launching)
	switch pop {
	case popNone:
		return true
	case popMinor:
		d.showPolicy(popMinor)
		d.note(vocab.RuleReconsent, "policy ", d.e.version, " changes nothing major since the accepted ", d.e.history[st.accepted].version, ": the update is offered without blocking, and consent to ", d.e.history[st.accepted].version, " stands until it is accepted")
		return true
	}
	if st.basic && !entering {
		d.act(action{kind: vocab.ActionBasicMode})
		d.note(vocab.RuleBasicMode, "the policy was declined: basic browsing only, no popup until the user asks for a function")
		return false
	}
	if st.basic {
		d.note(vocab.RuleBasicMode, "in basic mode the user asked for ", d.stepName(stepRef{d.r.ev.scenario, d.r.ev.step}), ": the policy is offered again")
	}
	d.showPolicy(pop)
	if pop == popFirst {
		d.note(vocab.RulePreconsent, "no consent to policy ", d.e.version, ": the policy comes before any permission, rationale or SDK")
	} else {
		d.note(vocab.RuleReconsent, "policy ", d.e.version, " makes major changes since the accepted ", d.e.history[st.accepted].version, ": consent is needed again before anything else")
	}
	return false
}

// showPolicy shows a policy popup of the active version and keeps its
// text's hash, with which its answer is recorded.
func (d *decision) showPolicy(pop popup) {
	d.act(action{kind: vocab.ActionShowPolicy, pop: pop, from: d.st.accepted})
	d.st.pending = pop
	d.st.seen = len(d.e.history) - 1
	d.st.popupText = d.policyHash(pop, d.st.accepted)
	d.st.popupLocale = d.r.locale + 1
}

func (d *decision) policyAnswer() {
	st, ev := &d.st, &d.r.ev
	last := len(d.e.history) - 1
	pop := st.pending
	if pop == popNone {
		// The user may also read and accept the policy from a page of the
		// app (basic mode points there), without a popup.
		if pop = d.popupDue(false); pop == popNone || pop == popMinor {
			d.fail = &errcode.Error{Code: errcode.NotRequested, Field: "event", Message: "no policy popup is waiting for an answer: consent to policy " + d.e.version + " is on record"}
			return
		}
	}
	// The answer is to the popup as it was shown: of version seen, which
	// a newer bundle loaded since may have followed (the state kept its
	// text); a state from before it kept them answers the active version.
	ver, text, in := last, st.popupText, shownIn{}
	if st.pending != popNone && text != ([32]byte{}) {
		ver = st.seen
		in = shownIn{ver + 1, st.popupLocale}
	} else {
		text = d.policyHash(pop, st.accepted)
	}
	version := d.e.history[ver].version
	d.receipt(rcptPolicy, in, noPerm, noStep, text, answer(ev.accepted), -1)
	st.seen = max(st.seen, ver) // answered, also from a page of the app
	resume := st.resume
	st.pending, st.popupText, st.popupLocale, st.resume = popNone, [32]byte{}, 0, noStep
	switch {
	case pop == popMinor:
		if ev.accepted {
			st.accepted = ver
			d.note(vocab.RuleReconsent, "the minor update to ", version, " was accepted")
		} else {
			d.note(vocab.RuleReconsent, "the minor update to ", version, " was declined: consent to ", d.e.history[st.accepted].version, " stands, the app goes on, and the update is offered again at the next launch")
		}
		if ver < last {
			d.newerFirst(noStep)
		}
	case ev.accepted:
		st.accepted, st.basic = ver, false
		if pop == popFirst {
			d.note(vocab.RulePreconsent, "policy ", version, " accepted: SDKs may start and permissions may be asked just in time")
		} else {
			d.note(vocab.RuleReconsent, "policy ", version, " accepted again after its major changes")
			// Accepting the policy is not the separate consent that
			// sensitive data needs, and a major change may have changed
			// what it was given for: each is asked again, in its step.
			cleared := st.consents.given != 0
			st.consents.given = 0
			if cleared {
				d.note(vocab.RuleSeparate, "separate consents given under an earlier version are asked again in their steps")
			}
		}
		if ver < last && d.newerFirst(resume) {
			return
		}
		if resume.sc >= 0 {
			d.enter(resume)
		}
	default:
		st.basic = true
		st.flow = flow{step: noStep}
		d.act(action{kind: vocab.ActionBasicMode})
		d.note(vocab.RuleBasicMode, "policy ", version, " declined: basic browsing only, no SDK runs, nothing is asked")
	}
}

// newerFirst shows the update that a bundle loaded while a popup waited
// brought, once that popup's answer is recorded (RECONSENT: updates
// first). It reports whether the update blocks: then resume, the step to
// go on with, waits for its answer.
func (d *decision) newerFirst(resume stepRef) bool {
	st := &d.st
	pop := d.popupDue(false)
	if pop == popNone {
		return false
	}
	d.showPolicy(pop)
	if pop == popMinor {
		d.note(vocab.RuleReconsent, "policy ", d.e.version, " arrived while an earlier popup waited: it is offered next, without blocking")
		return false
	}
	st.resume = resume
	d.note(vocab.RuleReconsent, "policy ", d.e.version, " arrived while an earlier popup waited: its major changes are shown next, before anything else")
	return true
}

// enter starts a step: each of its permissions in order, then proceed or
// block (JIT).
func (d *decision) enter(ref stepRef) {
	st := &d.st
	st.at = ref
	st.flow = flow{step: ref}
	step := &d.e.scens[ref.sc].steps[ref.st]
	if len(step.prompts) > 0 && d.systemPrompt(step) == "" {
		st.flow = flow{step: noStep}
		d.act(action{kind: vocab.ActionUnavailable, step: ref})
		d.note(vocab.RulePlatform, d.stepName(ref), " needs the platform's own prompt, which ", d.r.dev.platform.String(), " does not offer: the step is unavailable, nothing is asked")
		return
	}
	d.note(vocab.RuleJIT, step.jitNote)
	d.advance(0)
}

// systemPrompt returns the API of the step's system prompt that admits
// the device, or "".
func (d *decision) systemPrompt(step *stepModel) string {
	dev := &d.r.dev
	for i := range step.prompts {
		p := &step.prompts[i]
		if p.platform == dev.platform && dev.inRange(p.min, p.max) {
			return p.api
		}
	}
	return ""
}

// advance asks for the step's consents and permissions from the i-th on,
// stopping at the first that needs the user; when none is left the step
// proceeds.
func (d *decision) advance(i int) {
	st := &d.st
	f := &st.flow
	step := &d.e.scens[f.step.sc].steps[f.step.st]
	dev := &d.r.dev
	for ; i < len(step.asks); i++ {
		sp := &step.asks[i]
		if sp.perm == noPerm {
			if d.askConsent(i, sp) {
				return
			}
			continue
		}
		p := sp.perm
		name := p.String()
		if why := dev.platformLacks(p); why != "" {
			d.note(vocab.RulePlatform, name, ": ", why)
			continue
		}
		row := d.e.row(p, sp.access, dev)
		if !sp.applies(dev) || row == nil {
			d.note(vocab.RulePlatform, name, ": the policy does not ask for it on ", dev.platform.String())
			continue
		}
		ps := &st.perms[p]
		sepNeeded := sp.separate && !st.consents.has(sp.consent)
		// Nothing to ask of the OS for a picker, nor for an install-time
		// grant unless it was withdrawn in the app, which only a new
		// rationale undoes (WITHDRAW); a separate consent is still asked.
		if row.grant == vocab.GrantNone || (row.grant == vocab.GrantInstall && !ps.withdrawn) {
			if sepNeeded && d.askPermConsent(i, sp) {
				return
			}
			if f.missing&(1<<i) == 0 {
				if row.grant == vocab.GrantNone {
					d.note(vocab.RulePlatform, name, ": ", row.api, " needs no permission: only what the user selects or saves is touched; nothing is asked")
				} else {
					d.note(vocab.RulePlatform, name, ": granted at install on this version; no dialog exists")
				}
			}
			continue
		}
		os := d.osAt(p, row)
		granted := os == vocab.OSGranted || os == vocab.OSLimited
		// An OS grant is no separate consent (PIPL art. 29): it is asked
		// whatever the OS reports.
		if granted && !ps.withdrawn && !sepNeeded {
			if dev.installTime() {
				d.note(vocab.RulePlatform, name, ": granted at install (Android API 22 and below); no dialog exists")
			}
			if os == vocab.OSLimited {
				d.note(vocab.RulePlatform, name, ": granted with limits (approximate location or selected photos); the step goes on")
			}
			continue
		}
		if os == vocab.OSRestricted {
			d.note(vocab.RulePlatform, name, ": restricted on this device; the user cannot grant it")
			if d.refused(i, false) {
				return
			}
			continue
		}
		// iOS asks a separate consent on a screen of its own, before the
		// pre-permission screen that only leads on to the system dialog.
		if sepNeeded && dev.onePrePermissionButton() {
			if d.askPermConsent(i, sp) {
				return
			}
			continue
		}
		if d.coolingDown(sp, ps.refused, name) {
			f.missing |= 1 << i
			continue
		}
		f.i, f.wait = i, waitRationale
		d.shown(d.rationaleHash(sp))
		d.act(action{kind: vocab.ActionShowRationale, step: f.step, sp: i, perm: p})
		d.note(vocab.RuleRationale, sp.rationaleNote)
		if dev.onePrePermissionButton() {
			d.note(vocab.RulePlatform, name, ": the iOS pre-permission screen only leads on to the system dialog, where the user accepts or refuses")
		}
		if row.grant == vocab.GrantSpecial {
			d.note(vocab.RuleSettings, name, " is a special access: the user grants it in the settings, never in a dialog")
		}
		if ps.withdrawn {
			d.note(vocab.RuleWithdraw, name, " was withdrawn: it is asked again only with a new rationale")
		}
		if d.carriesConsent(sp) {
			d.note(vocab.RuleSeparate, sp.separateNote)
		}
		return
	}
	d.finish()
}

// askConsent handles the i-th ask of the step in progress when it is a
// separate consent with no permission: it shows the consent screen and
// reports true, or reports false when the step goes on without asking
// (given already, not asked on this platform, or refused within the
// cooldown).
func (d *decision) askConsent(i int, sp *stepPermModel) bool {
	st := &d.st
	f := &st.flow
	name := sp.name(d.e)
	switch {
	case !sp.applies(&d.r.dev):
		d.note(vocab.RulePlatform, name, ": the policy does not ask for it on ", d.r.dev.platform.String())
		return false
	case st.consents.has(sp.consent):
		return false
	case d.coolingDown(sp, st.consents.refused[sp.consent], name):
		f.missing |= 1 << i
		return false
	}
	f.i, f.wait = i, waitConsent
	d.shown(d.screenHash(sp, screenConsent))
	d.act(action{kind: vocab.ActionShowConsent, step: f.step, sp: i, perm: noPerm})
	d.note(vocab.RuleSeparate, sp.separateNote)
	return true
}

// carriesConsent reports whether the rationale of a permission ask
// carries its separate consent: unless the platform asks it on a screen
// of its own, before a pre-permission screen that has only one button
// (iOS).
func (d *decision) carriesConsent(sp *stepPermModel) bool {
	return sp.separate && !d.r.dev.onePrePermissionButton()
}

// askPermConsent asks, on a consent screen of its own, the separate
// consent of the i-th ask, a permission, and reports true; or reports
// false when the consent was declined within the cooldown, and then the
// ask is missing from the step (a blocking one is asked again).
func (d *decision) askPermConsent(i int, sp *stepPermModel) bool {
	f := &d.st.flow
	c := &d.e.consents[sp.consent]
	if d.coolingDown(sp, d.st.consents.refused[sp.consent], c.id) {
		f.missing |= 1 << i
		return false
	}
	f.i, f.wait = i, waitConsent
	d.shown(d.screenHash(sp, screenConsent))
	d.act(action{kind: vocab.ActionShowConsent, step: f.step, sp: i, perm: sp.perm})
	d.note(vocab.RuleSeparate, sp.separateNote)
	d.note(vocab.RuleSeparate, c.id, " is asked on a screen of its own, before anything about ", sp.perm.String())
	return true
}

// coolingDown reports whether an optional ask refused at refused (Unix
// seconds, 0 if never) is left alone: within the policy's cooldown
// neither rationale nor dialog is shown (COOLDOWN).
func (d *decision) coolingDown(sp *stepPermModel, refused int64, name string) bool {
	if sp.conseq == vocab.Blocking || refused == 0 {
		return false
	}
	age := d.r.now - refused // the state is clamped to now: age >= 0
	if age >= d.e.cooldown {
		return false
	}
	d.noteDuration(vocab.RuleCooldown, age, " ago: neither rationale nor dialog within the cooldown of ", d.e.cooldown, name, " was refused ")
	return true
}

// os returns what the OS reports for a permission. On Android API 22 and
// below a permission not reported otherwise is granted at install; one
// reported denied (by a vendor's permission manager) is denied.
func (d *decision) os(p vocab.Permission) vocab.OSState {
	if st := d.r.os[p]; d.r.dev.installTime() && st == vocab.OSNotDetermined {
		return vocab.OSGranted
	}
	return d.r.os[p]
}

// osAt is os for the policy's row on the device: a permission granted at
// install on this version (row.grant install) is granted unless the host
// reports otherwise, as every permission is on Android 22 and below; a
// special access is never granted at install, there either (the
// unknown-sources switch is off until the user turns it on).
func (d *decision) osAt(p vocab.Permission, row *declModel) vocab.OSState {
	switch {
	case row != nil && row.grant == vocab.GrantSpecial:
		return d.r.os[p]
	case row != nil && row.grant == vocab.GrantInstall && d.r.os[p] == vocab.OSNotDetermined:
		return vocab.OSGranted
	}
	return d.os(p)
}

// finish ends the step with proceed, or with block if a blocking
// permission went missing after it was granted (withdrawn mid-step).
func (d *decision) finish() {
	f := &d.st.flow
	step := &d.e.scens[f.step.sc].steps[f.step.st]
	for i := range step.asks {
		if f.missing&(1<<i) != 0 && step.asks[i].conseq == vocab.Blocking {
			d.refused(i, false)
			return
		}
	}
	d.act(action{kind: vocab.ActionProceed, step: f.step, missing: f.missing})
	if api := d.systemPrompt(step); api != "" {
		d.note(vocab.RulePlatform, d.stepName(f.step), " goes on with the platform's own prompt, ", api, ": the app never captures the biometric itself")
	}
	if f.missing != 0 {
		d.note(vocab.RuleDegrade, d.stepName(f.step), " goes on without what was refused")
	}
	d.st.flow = flow{step: noStep}
}

// refused handles a refusal of the i-th step permission. It blocks the
// step for a blocking one and reports true; an optional one is remembered
// for the cooldown and the step goes on.
func (d *decision) refused(i int, remember bool) bool {
	f := &d.st.flow
	sp := &d.e.scens[f.step.sc].steps[f.step.st].asks[i]
	name := sp.name(d.e)
	if sp.conseq == vocab.Blocking {
		d.act(action{kind: vocab.ActionBlock, step: f.step, sp: i, perm: sp.perm})
		d.note(vocab.RuleDegrade, name, " is needed by ", d.stepName(f.step), ": only this step is blocked")
		d.st.flow = flow{step: noStep}
		return true
	}
	if remember && sp.perm != noPerm {
		d.st.perms[sp.perm].refused = d.r.now
	}
	f.missing |= 1 << i
	how := " goes on degraded"
	if sp.conseq == vocab.Fallback {
		how = " goes on another way"
	}
	d.note(vocab.RuleDegrade, name, " refused: ", d.stepName(f.step), how)
	return false
}

// current returns the step permission a flow waits on, if the event is
// about it.
func (d *decision) current(waits ...wait) *stepPermModel {
	f := &d.st.flow
	if f.step.sc < 0 {
		return nil
	}
	ok := false
	for _, w := range waits {
		ok = ok || f.wait == w
	}
	step := &d.e.scens[f.step.sc].steps[f.step.st]
	if !ok || f.i >= len(step.asks) {
		return nil
	}
	sp := &step.asks[f.i]
	if sp.perm == noPerm || f.wait == waitConsent {
		// A consent screen, alone or before a permission's (iOS).
		if sp.consent != d.r.ev.consent {
			return nil
		}
	} else if sp.perm != d.r.ev.perm || d.r.ev.consent >= 0 {
		return nil
	}
	return sp
}

// shown keeps, for the screen the step in progress now shows, the active
// version and the hash of its texts: its answer is recorded with them.
func (d *decision) shown(text [32]byte) {
	d.st.flow.shownV, d.st.flow.shown, d.st.flow.shownL = len(d.e.history), text, d.r.locale+1
}

// kept returns the version and locale and the hash of the texts of the
// screen the step in progress showed, as the state kept them; for a state
// from before it kept them, the active version, the request's locale and
// hash(), the screen as now shown.
func (d *decision) kept(hash func() [32]byte) (shownIn, [32]byte) {
	if f := &d.st.flow; f.shownV > 0 {
		return shownIn{f.shownV, f.shownL}, f.shown
	}
	return shownIn{}, hash()
}

// updateDue shows, once the answer to a screen of the step in progress is
// recorded and applied, a policy update that arrived while the screen
// waited (a newer bundle loaded): updates come first (RECONSENT). A minor
// one is shown without blocking and the step goes on, in the new texts;
// for a major one the step stops and starts again, in the new texts, once
// the update is accepted: updateDue then reports true.
func (d *decision) updateDue() bool {
	pop := d.popupDue(false)
	if pop == popNone {
		return false
	}
	st := &d.st
	step := st.flow.step
	if pop == popMinor {
		d.showPolicy(pop)
		d.note(vocab.RuleReconsent, "policy ", d.e.version, " arrived during ", d.stepName(step), ": the answer is recorded with the texts shown, the minor update is offered without blocking and the step goes on in its texts")
		return false
	}
	st.resume = step
	st.flow = flow{step: noStep}
	d.showPolicy(pop)
	d.note(vocab.RuleReconsent, "policy ", d.e.version, " arrived during ", d.stepName(step), ": the answer is recorded with the texts shown, and the step starts again, in the new texts, once the policy is accepted")
	return true
}

func (d *decision) rationaleAnswer() {
	ev := &d.r.ev
	sp := d.current(waitRationale)
	if sp == nil {
		d.fail = &errcode.Error{Code: errcode.NotRequested, Field: "event.permission", Message: "no rationale for " + ev.perm.String() + " is waiting for an answer"}
		return
	}
	dev := &d.r.dev
	if !ev.accepted && dev.onePrePermissionButton() {
		d.fail = &errcode.Error{Code: errcode.BadValue, Field: "event.accepted", Message: "an iOS pre-permission screen has no decline button: the user refuses in the system dialog, reported with permission_result"}
		return
	}
	f := &d.st.flow
	i := f.i
	ps := &d.st.perms[sp.perm]
	name := sp.perm.String()
	carries := d.carriesConsent(sp)
	consent := -1
	if carries {
		consent = sp.consent
	}
	in, text := d.kept(func() [32]byte { return d.rationaleHash(sp) })
	d.receipt(rcptRationale, in, sp.perm, f.step, text, answer(ev.accepted), consent)
	if !ev.accepted {
		if carries {
			d.st.consents.decline(sp.consent, d.r.now)
			d.note(vocab.RuleSeparate, "separate consent to ", d.e.consents[sp.consent].id, " declined with ", name, ": nothing rests on it")
		}
		if d.updateDue() {
			d.remember(sp)
			return
		}
		if !d.refused(i, true) {
			d.advance(i + 1)
		}
		return
	}
	if carries {
		d.st.consents.give(sp.consent)
		d.note(vocab.RuleSeparate, "separate consent to ", d.e.consents[sp.consent].id, " (", name, ") recorded in its own receipt, for this purpose only")
	}
	// A new rationale accepted undoes a withdrawal in the app (WITHDRAW):
	// the user has agreed again, whatever the OS then grants.
	ps.withdrawn = false
	row := d.e.row(sp.perm, sp.access, dev)
	os := d.osAt(sp.perm, row)
	granted := os == vocab.OSGranted || os == vocab.OSLimited
	if d.updateDue() {
		return
	}
	if granted {
		d.advance(i + 1)
		return
	}
	if os == vocab.OSRestricted {
		d.note(vocab.RulePlatform, name, ": restricted on this device; the user cannot grant it")
		if !d.refused(i, false) {
			d.advance(i + 1)
		}
		return
	}
	if row != nil && row.grant == vocab.GrantSpecial {
		f.wait = waitSettings
		d.act(action{kind: vocab.ActionOpenSettings, step: f.step, sp: i, perm: sp.perm})
		d.note(vocab.RuleSettings, name, ": a special access, granted only in the settings (", row.settings, "); no system dialog exists for it")
		return
	}
	if why := dev.dialogGone(os, ps.denials); why != "" {
		f.wait = waitSettings
		d.act(action{kind: vocab.ActionOpenSettings, step: f.step, sp: i, perm: sp.perm})
		d.note(vocab.RuleSettings, name, ": ", why, "; the user is guided to the settings")
		return
	}
	f.wait = waitRequest
	d.act(action{kind: vocab.ActionRequestPermission, step: f.step, sp: i, perm: sp.perm})
	d.note(vocab.RuleRationale, name, ": rationale accepted, the system dialog may follow")
}

// remember records the refusal of an optional permission for its
// cooldown, as refused does, when its step stopped for a major update.
func (d *decision) remember(sp *stepPermModel) {
	if sp.conseq != vocab.Blocking && sp.perm != noPerm {
		d.st.perms[sp.perm].refused = d.r.now
	}
}

func (d *decision) permissionResult() {
	ev := &d.r.ev
	sp := d.current(waitRequest, waitSettings)
	if sp == nil {
		d.fail = &errcode.Error{Code: errcode.NotRequested, Field: "event.permission", Message: ev.perm.String() + " was not requested"}
		return
	}
	f := &d.st.flow
	i := f.i
	ps := &d.st.perms[sp.perm]
	in, text := d.kept(func() [32]byte { return d.rationaleHash(sp) })
	d.receipt(rcptPermission, in, sp.perm, f.step, text, ev.result.String(), sp.consentOrNone())
	granted := ev.result == vocab.ResultGranted || ev.result == vocab.ResultLimited
	switch ev.result {
	case vocab.ResultGranted, vocab.ResultLimited:
		ps.withdrawn, ps.refused = false, 0
	case vocab.ResultDenied:
		// Every denial on record counts, in a dialog or in the settings
		// (which the receipt does not tell apart, and the settings come
		// only once the dialogs are gone): the state is what the record
		// says (rebuild.go).
		ps.denials = min(ps.denials+1, maxDenials)
	case vocab.ResultDeniedForever:
		ps.denials = max(ps.denials, 2)
	}
	if d.updateDue() {
		if !granted {
			d.remember(sp)
		}
		return
	}
	if granted {
		if ev.result == vocab.ResultLimited {
			d.note(vocab.RulePlatform, sp.perm.String(), ": granted with limits (approximate location or selected photos); the step goes on")
		}
		d.advance(i + 1)
		return
	}
	if !d.refused(i, true) {
		d.advance(i + 1)
	}
}

func (d *decision) withdraw() {
	st, ev := &d.st, &d.r.ev
	if ev.policy {
		// It withdraws consent to the version on record.
		ver := len(d.e.history) - 1
		if st.accepted >= 0 {
			ver = st.accepted
		}
		d.receipt(rcptWithdraw, shownIn{ver: ver + 1}, noPerm, noStep, [32]byte{}, "withdrawn", -1)
		st.accepted, st.basic, st.pending, st.popupText, st.popupLocale = -1, true, popNone, [32]byte{}, 0
		st.flow, st.resume, st.at = flow{step: noStep}, noStep, noStep
		// Nothing granted before comes back without a new rationale.
		st.consents.given = 0
		for p := range st.perms {
			st.perms[p].withdrawn = d.e.perms[p].inPolicy
		}
		d.act(action{kind: vocab.ActionBasicMode})
		d.note(vocab.RuleWithdraw, "consent to the policy withdrawn: every SDK stops, nothing is asked until the user accepts again")
		return
	}
	if ev.consent >= 0 {
		c := ev.consent
		d.receipt(rcptWithdraw, shownIn{}, noPerm, noStep, [32]byte{}, "withdrawn", c)
		st.consents.withdraw(c)
		d.dropFromFlow(func(sp *stepPermModel) bool { return sp.consent == c })
		d.note(vocab.RuleWithdraw, "separate consent to ", d.e.consents[c].id, " withdrawn: the processing that rests on it stops and it is asked again before any new use")
		return
	}
	ps := &st.perms[ev.perm]
	d.receipt(rcptWithdraw, shownIn{}, ev.perm, noStep, [32]byte{}, "withdrawn", -1)
	ps.withdrawn = true
	// The separate consents given on this permission's rationales were
	// given with it, on one screen: they go with it, each in a receipt
	// of its own, and are asked again with it.
	for c := range d.e.consents {
		if d.e.permConsents[ev.perm]&(1<<c) != 0 && st.consents.has(c) {
			d.receipt(rcptWithdraw, shownIn{}, noPerm, noStep, [32]byte{}, "withdrawn", c)
			st.consents.withdraw(c)
			d.note(vocab.RuleWithdraw, "separate consent to ", d.e.consents[c].id, ", given with ", ev.perm.String(), ", withdrawn with it")
		}
	}
	d.dropFromFlow(func(sp *stepPermModel) bool { return sp.perm == ev.perm })
	d.note(vocab.RuleWithdraw, ev.perm.String(), " withdrawn: the SDKs that need it stop and it is not used until granted again")
}

// dropFromFlow applies a withdrawal to the step in progress: the ask
// being asked drops the step; one given earlier in it is missing from
// now on.
func (d *decision) dropFromFlow(withdrawn func(*stepPermModel) bool) {
	st := &d.st
	f := &st.flow
	if f.step.sc < 0 {
		return
	}
	asks := d.e.scens[f.step.sc].steps[f.step.st].asks
	for j := range asks {
		switch {
		case !withdrawn(&asks[j]):
		case j == f.i:
			st.flow = flow{step: noStep}
			return
		case j < f.i:
			f.missing |= 1 << j
		}
	}
}

// consentAnswer takes the answer to a consent screen (show_consent): the
// separate consent is recorded in its own receipt, given or declined, and
// the step goes on (or blocks, if it cannot work without it).
func (d *decision) consentAnswer() {
	ev := &d.r.ev
	sp := d.current(waitConsent)
	if sp == nil {
		d.fail = &errcode.Error{Code: errcode.NotRequested, Field: "event.purpose", Message: "no consent screen for " + d.e.consents[ev.consent].id + " is waiting for an answer"}
		return
	}
	f := &d.st.flow
	i := f.i
	c := &d.e.consents[sp.consent]
	in, text := d.kept(func() [32]byte { return d.screenHash(sp, screenConsent) })
	d.receipt(rcptConsent, in, noPerm, f.step, text, answer(ev.accepted), sp.consent)
	if ev.accepted {
		d.st.consents.give(sp.consent)
		d.note(vocab.RuleSeparate, "separate consent to ", c.id, " recorded in its own receipt, for this purpose only")
	} else {
		d.st.consents.decline(sp.consent, d.r.now)
		d.note(vocab.RuleSeparate, "separate consent to ", c.id, " declined: nothing that rests on it is processed")
	}
	if d.updateDue() {
		return
	}
	if ev.accepted {
		next := i + 1
		if sp.perm != noPerm {
			next = i // the permission it comes with is asked next
		}
		d.advance(next)
		return
	}
	if !d.refused(i, false) {
		d.advance(i + 1)
	}
}

func answer(accepted bool) string {
	if accepted {
		return "accepted"
	}
	return "declined"
}
