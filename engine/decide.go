package engine

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// Rule ids of DESIGN.md, as they appear in a response's trace. STATE is
// the engine's own: it explains why a state was not used.
const (
	rulePreconsent = "PRECONSENT"
	ruleBasicMode  = "BASIC_MODE"
	ruleReconsent  = "RECONSENT"
	ruleJIT        = "JIT"
	ruleRationale  = "RATIONALE"
	rulePlatform   = "PLATFORM"
	ruleSettings   = "SETTINGS"
	ruleCooldown   = "COOLDOWN"
	ruleDegrade    = "DEGRADE"
	ruleSeparate   = "SEPARATE"
	ruleWithdraw   = "WITHDRAW"
	ruleState      = "STATE"
)

// Actions.
const (
	actShowPolicy = iota
	actBasicMode
	actShowRationale
	actRequestPermission
	actOpenSettings
	actProceed
	actBlock
)

var actionNames = []string{"show_policy", "basic_mode", "show_rationale", "request_permission", "open_settings", "proceed", "block"}

type action struct {
	kind    int
	pop     int     // show_policy: popFirst, popMajor or popMinor
	from    int     // show_policy: the accepted version the changes start after
	step    stepRef // show_rationale, proceed, block
	sp      int     // index of the step permission
	perm    int
	missing uint16 // proceed
}

type traceEntry struct {
	rule       string
	start, end int // the detail in decision.arena
}

// decision is one call's working memory. It holds fixed arrays rather
// than slices of its own buffers, so that it stays on the caller's stack
// (a struct that points into itself escapes: golang.org/issue/35518).
// The bounds are far above what one event produces: at most three
// actions, one receipt, and a trace line per permission of a step.
type decision struct {
	e      *Engine
	r      request
	st     state
	acts   [8]action
	nActs  int
	trace  [40]traceEntry
	nTrace int
	arena  [1536]byte // trace details
	nArena int
	rcpts  [2]receipt
	nRcpts int
	fail   *Error // an event that does not fit the state
	// scratch is the spare capacity of the caller's buffer, where texts
	// and receipts are put together to be hashed: the response is written
	// over it later.
	scratch []byte
}

// note adds a trace entry whose detail is the parts joined. Details that
// would overflow the arena are cut short; the rule id is always kept.
func (d *decision) note(rule string, parts ...string) {
	if d.nTrace == len(d.trace) {
		return
	}
	start := d.nArena
	for _, p := range parts {
		d.nArena += copy(d.arena[d.nArena:], p)
	}
	d.trace[d.nTrace] = traceEntry{rule, start, d.nArena}
	d.nTrace++
}

// noteHours is note with a number of hours after the parts.
func (d *decision) noteHours(rule string, hours int64, parts ...string) {
	var num [24]byte
	n := appendInt(num[:0], hours)
	n = append(n, 'h')
	d.note(rule, parts...)
	if d.nTrace > 0 {
		t := &d.trace[d.nTrace-1]
		d.nArena += copy(d.arena[d.nArena:], n)
		t.end = d.nArena
	}
}

// detail returns the bytes of a trace entry's detail.
func (d *decision) detail(t *traceEntry) []byte { return d.arena[t.start:t.end] }

func (d *decision) act(a action) {
	if d.nActs < len(d.acts) {
		d.acts[d.nActs] = a
		d.nActs++
	}
}

func (d *decision) stepName(r stepRef) string { return d.e.scens[r.sc].steps[r.st].name }

// run applies the event to the state.
func (d *decision) run() {
	st, ev := &d.st, &d.r.ev
	switch ev.typ {
	case evLaunch:
		st.flow = flow{step: noStep}
		st.resume, st.at = noStep, noStep
		d.policyGate(false)
	case evPolicyAnswer:
		d.policyAnswer()
	case evEnter:
		ref := stepRef{ev.scenario, ev.step}
		st.flow = flow{step: noStep}
		if !d.policyGate(true) {
			st.resume = ref
			return
		}
		d.enter(ref)
	case evRationaleAnswer:
		d.rationaleAnswer()
	case evPermissionResult:
		d.permissionResult()
	case evWithdraw:
		d.withdraw()
	}
}

// popupDue tells which policy popup the state needs: the first one, a
// blocking one for a major update, an informing one for a minor update
// not yet shown, or none.
func (d *decision) popupDue() int {
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
	if st.seen < last {
		return popMinor
	}
	return popNone
}

// policyGate shows the policy popup that is due before anything else
// (PRECONSENT, RECONSENT, BASIC_MODE) and reports whether the flow may go
// on. entering says the user asked for a function: a declined policy is
// then offered again, while a launch only shows the basic-mode notice.
func (d *decision) policyGate(entering bool) bool {
	st := &d.st
	pop := d.popupDue()
	switch pop {
	case popNone:
		return true
	case popMinor:
		d.showPolicy(popMinor)
		d.note(ruleReconsent, "policy ", d.e.version, " changes nothing major since ", d.e.history[st.accepted].version, ": the update is shown once and consent stands")
		st.seen = len(d.e.history) - 1
		return true
	}
	if st.basic && !entering {
		d.act(action{kind: actBasicMode})
		d.note(ruleBasicMode, "the policy was declined: basic browsing only, no popup until the user asks for a function")
		return false
	}
	if st.basic {
		d.note(ruleBasicMode, "in basic mode the user asked for ", d.stepName(stepRef{d.r.ev.scenario, d.r.ev.step}), ": the policy is offered again")
	}
	d.showPolicy(pop)
	if pop == popFirst {
		d.note(rulePreconsent, "no consent to policy ", d.e.version, ": the policy comes before any permission, rationale or SDK")
	} else {
		d.note(ruleReconsent, "policy ", d.e.version, " makes major changes since the accepted ", d.e.history[st.accepted].version, ": consent is needed again before anything else")
	}
	return false
}

func (d *decision) showPolicy(pop int) {
	d.act(action{kind: actShowPolicy, pop: pop, from: d.st.accepted})
	d.st.pending = pop
	d.st.seen = len(d.e.history) - 1
}

func (d *decision) policyAnswer() {
	st, ev := &d.st, &d.r.ev
	pop := st.pending
	if pop == popNone {
		// The user may also read and accept the policy from a page of the
		// app (basic mode points there), without a popup.
		if pop = d.popupDue(); pop == popNone || pop == popMinor {
			d.fail = &Error{Code: CodeNotRequested, Field: "event", Message: "no policy popup is waiting for an answer: consent to policy " + d.e.version + " is on record"}
			return
		}
	}
	d.receipt(rcptPolicy, -1, noStep, d.policyHash(pop, st.accepted), answer(ev.accepted), false)
	resume := st.resume
	st.pending, st.resume = popNone, noStep
	switch {
	case pop == popMinor:
		st.accepted = len(d.e.history) - 1
		d.note(ruleReconsent, "the minor update to ", d.e.version, " was shown and noted")
	case ev.accepted:
		st.accepted, st.basic = len(d.e.history)-1, false
		if pop == popFirst {
			d.note(rulePreconsent, "policy ", d.e.version, " accepted: SDKs may start and permissions may be asked just in time")
		} else {
			d.note(ruleReconsent, "policy ", d.e.version, " accepted again after its major changes")
			// Accepting the policy is not the separate consent that
			// sensitive data needs, and a major change may have changed
			// what it was given for: each is asked again, in its step.
			cleared := false
			for p := range st.perms {
				cleared = cleared || st.perms[p].separate != 0
				st.perms[p].separate = 0
			}
			if cleared {
				d.note(ruleSeparate, "separate consents given under an earlier version are asked again in their steps")
			}
		}
		if resume.sc >= 0 {
			d.enter(resume)
		}
	default:
		st.basic = true
		st.flow = flow{step: noStep}
		d.act(action{kind: actBasicMode})
		d.note(ruleBasicMode, "policy ", d.e.version, " declined: basic browsing only, no SDK runs, nothing is asked")
	}
}

// enter starts a step: each of its permissions in order, then proceed or
// block (JIT).
func (d *decision) enter(ref stepRef) {
	st := &d.st
	st.at = ref
	st.flow = flow{step: ref}
	step := &d.e.scens[ref.sc].steps[ref.st]
	if len(step.perms) == 0 {
		d.note(ruleJIT, d.stepName(ref), " asks for no permission")
	} else {
		d.note(ruleJIT, step.jitNote)
	}
	d.advance(0)
}

// advance asks for the step's permissions from the i-th on, stopping at
// the first that needs the user; when none is left the step proceeds.
func (d *decision) advance(i int) {
	st := &d.st
	f := &st.flow
	step := &d.e.scens[f.step.sc].steps[f.step.st]
	dev := &d.r.dev
	for ; i < len(step.perms); i++ {
		sp := &step.perms[i]
		p := sp.perm
		name := bundle.Permissions[p]
		if why := dev.platformLacks(p); why != "" {
			d.note(rulePlatform, name, ": ", why)
			continue
		}
		if !sp.applies(dev) || d.e.ids(p, dev) == nil {
			d.note(rulePlatform, name, ": the policy does not ask for it on ", bundle.Platforms[dev.platform])
			continue
		}
		ps := &st.perms[p]
		os := d.os(p)
		granted := os == osGranted || os == osLimited
		sepNeeded := sp.separate && ps.separate&(1<<sp.sensitive) == 0
		if granted && !ps.withdrawn && !sepNeeded {
			if dev.installTime() {
				d.note(rulePlatform, name, ": granted at install (Android API 22 and below); no dialog exists")
			}
			if os == osLimited {
				d.note(rulePlatform, name, ": granted with limits (approximate location or selected photos); the step goes on")
			}
			continue
		}
		if os == osRestricted {
			d.note(rulePlatform, name, ": restricted on this device; the user cannot grant it")
			if d.refused(i, false) {
				return
			}
			continue
		}
		if sp.conseq != blocking && ps.refused != 0 {
			if age := d.r.now - ps.refused; age < d.e.cooldown {
				d.noteHours(ruleCooldown, d.e.cooldown/3600, name, " was refused ", hoursAgo(age), " ago: neither rationale nor dialog within the cooldown of ")
				f.missing |= 1 << i
				continue
			}
		}
		f.i, f.wait = i, waitRationale
		d.act(action{kind: actShowRationale, step: f.step, sp: i, perm: p})
		d.note(ruleRationale, sp.rationaleNote)
		if ps.withdrawn {
			d.note(ruleWithdraw, name, " was withdrawn: it is asked again only with a new rationale")
		}
		if sp.separate {
			d.note(ruleSeparate, sp.separateNote)
		}
		return
	}
	d.finish()
}

// os returns what the OS reports for a permission. On Android API 22 and
// below a permission not reported otherwise is granted at install; one
// reported denied (by a vendor's permission manager) is denied.
func (d *decision) os(p int) uint8 {
	if st := d.r.os[p]; d.r.dev.installTime() && st == osNotDetermined {
		return osGranted
	}
	return d.r.os[p]
}

// finish ends the step with proceed, or with block if a blocking
// permission went missing after it was granted (withdrawn mid-step).
func (d *decision) finish() {
	f := &d.st.flow
	step := &d.e.scens[f.step.sc].steps[f.step.st]
	for i := range step.perms {
		if f.missing&(1<<i) != 0 && step.perms[i].conseq == blocking {
			d.refused(i, false)
			return
		}
	}
	d.act(action{kind: actProceed, step: f.step, missing: f.missing})
	if f.missing != 0 {
		d.note(ruleDegrade, d.stepName(f.step), " goes on without what was refused")
	}
	d.st.flow = flow{step: noStep}
}

// refused handles a refusal of the i-th step permission. It blocks the
// step for a blocking one and reports true; an optional one is remembered
// for the cooldown and the step goes on.
func (d *decision) refused(i int, remember bool) bool {
	f := &d.st.flow
	sp := &d.e.scens[f.step.sc].steps[f.step.st].perms[i]
	name := bundle.Permissions[sp.perm]
	if sp.conseq == blocking {
		d.act(action{kind: actBlock, step: f.step, sp: i, perm: sp.perm})
		d.note(ruleDegrade, name, " is needed by ", d.stepName(f.step), ": only this step is blocked")
		d.st.flow = flow{step: noStep}
		return true
	}
	if remember {
		d.st.perms[sp.perm].refused = d.r.now
	}
	f.missing |= 1 << i
	how := " goes on degraded"
	if sp.conseq == fallback {
		how = " goes on another way"
	}
	d.note(ruleDegrade, name, " refused: ", d.stepName(f.step), how)
	return false
}

// current returns the step permission a flow waits on, if the event is
// about it.
func (d *decision) current(wait ...int) *stepPermModel {
	f := &d.st.flow
	if f.step.sc < 0 {
		return nil
	}
	ok := false
	for _, w := range wait {
		ok = ok || f.wait == w
	}
	step := &d.e.scens[f.step.sc].steps[f.step.st]
	if !ok || f.i >= len(step.perms) || step.perms[f.i].perm != d.r.ev.perm {
		return nil
	}
	return &step.perms[f.i]
}

// updateDue handles a policy update that arrived while a step was asking
// (a newer bundle loaded): the answer is set aside, the update is shown
// first (RECONSENT), and the step starts again, in the new policy's words,
// once it is accepted. It reports whether it did so.
func (d *decision) updateDue() bool {
	pop := d.popupDue()
	if pop != popFirst && pop != popMajor {
		return false
	}
	st := &d.st
	st.resume = st.flow.step
	st.flow = flow{step: noStep}
	d.showPolicy(pop)
	d.note(ruleReconsent, "policy ", d.e.version, " arrived during ", d.stepName(st.resume), ": the answer is set aside and the step starts again once the policy is accepted")
	return true
}

func (d *decision) rationaleAnswer() {
	ev := &d.r.ev
	sp := d.current(waitRationale)
	if sp == nil {
		d.fail = &Error{Code: CodeNotRequested, Field: "event.permission", Message: "no rationale for " + bundle.Permissions[ev.perm] + " is waiting for an answer"}
		return
	}
	if d.updateDue() {
		return
	}
	f := &d.st.flow
	ps := &d.st.perms[sp.perm]
	name := bundle.Permissions[sp.perm]
	d.receipt(rcptRationale, sp.perm, f.step, d.rationaleHash(sp), answer(ev.accepted), sp.separate)
	if !ev.accepted {
		if !d.refused(f.i, true) {
			d.advance(f.i + 1)
		}
		return
	}
	if sp.separate {
		ps.separate |= 1 << sp.sensitive
		d.note(ruleSeparate, "separate consent to ", bundle.Sensitive[sp.sensitive], " (", name, ") recorded in its own receipt")
	}
	os := d.os(sp.perm)
	if os == osGranted || os == osLimited {
		ps.withdrawn = false
		d.advance(f.i + 1)
		return
	}
	if os == osRestricted {
		d.note(rulePlatform, name, ": restricted on this device; the user cannot grant it")
		if !d.refused(f.i, false) {
			d.advance(f.i + 1)
		}
		return
	}
	if why := d.r.dev.dialogGone(os, ps.denials); why != "" {
		f.wait = waitSettings
		d.act(action{kind: actOpenSettings, perm: sp.perm})
		d.note(ruleSettings, name, ": ", why, "; the user is guided to the settings")
		return
	}
	f.wait = waitRequest
	d.act(action{kind: actRequestPermission, perm: sp.perm})
	d.note(ruleRationale, name, ": rationale accepted, the system dialog may follow")
}

func (d *decision) permissionResult() {
	ev := &d.r.ev
	sp := d.current(waitRequest, waitSettings)
	if sp == nil {
		d.fail = &Error{Code: CodeNotRequested, Field: "event.permission", Message: bundle.Permissions[ev.perm] + " was not requested"}
		return
	}
	if d.updateDue() {
		return
	}
	f := &d.st.flow
	ps := &d.st.perms[sp.perm]
	d.receipt(rcptPermission, sp.perm, f.step, d.rationaleHash(sp), results[ev.result], sp.separate)
	switch ev.result {
	case resGranted, resLimited:
		ps.withdrawn, ps.refused = false, 0
		if ev.result == resLimited {
			d.note(rulePlatform, bundle.Permissions[sp.perm], ": granted with limits (approximate location or selected photos); the step goes on")
		}
		d.advance(f.i + 1)
		return
	case resDenied:
		if f.wait == waitRequest {
			ps.denials++
		}
	case resDeniedForever:
		if ps.denials < 2 {
			ps.denials = 2
		}
	}
	if !d.refused(f.i, true) {
		d.advance(f.i + 1)
	}
}

func (d *decision) withdraw() {
	st, ev := &d.st, &d.r.ev
	if ev.perm == permPolicy {
		d.receipt(rcptWithdraw, -1, noStep, [32]byte{}, "withdrawn", false)
		st.accepted, st.basic, st.pending = -1, true, popNone
		st.flow, st.resume, st.at = flow{step: noStep}, noStep, noStep
		// Nothing granted before comes back without a new rationale.
		for p := range st.perms {
			st.perms[p].separate = 0
			st.perms[p].withdrawn = d.e.perms[p].inPolicy
		}
		d.act(action{kind: actBasicMode})
		d.note(ruleWithdraw, "consent to the policy withdrawn: every SDK stops, nothing is asked until the user accepts again")
		return
	}
	ps := &st.perms[ev.perm]
	d.receipt(rcptWithdraw, ev.perm, noStep, [32]byte{}, "withdrawn", ps.separate != 0)
	ps.withdrawn, ps.separate = true, 0
	if f := &st.flow; f.step.sc >= 0 {
		// In the step in progress: the permission being asked drops the
		// step; one granted earlier in it is missing from now on.
		for j, sp := range d.e.scens[f.step.sc].steps[f.step.st].perms {
			switch {
			case sp.perm != ev.perm:
			case j == f.i:
				st.flow = flow{step: noStep}
			case j < f.i:
				f.missing |= 1 << j
			}
			if st.flow.step.sc < 0 {
				break
			}
		}
	}
	d.note(ruleWithdraw, bundle.Permissions[ev.perm], " withdrawn: the SDKs that need it stop and it is not used until granted again")
}

func answer(accepted bool) string {
	if accepted {
		return "accepted"
	}
	return "declined"
}

func hoursAgo(seconds int64) string {
	switch {
	case seconds < 3600:
		return "less than an hour"
	case seconds < 86400:
		return "less than a day"
	default:
		return "more than a day"
	}
}

// Receipt kinds.
const (
	rcptPolicy = iota
	rcptRationale
	rcptPermission
	rcptWithdraw
)

var receiptKinds = []string{"policy", "rationale", "permission", "withdraw"}

// receipt is a consent receipt created by this call.
type receipt struct {
	kind     int
	perm     int
	step     stepRef
	text     [32]byte
	answer   string
	separate bool
	prev     [32]byte
	hasPrev  bool
	hash     [32]byte
}

// receipt records a consent receipt and chains it to the one before: its
// hash is the SHA-256 of its own JSON without the hash member, and its
// "prev" is the hash of the receipt before it.
func (d *decision) receipt(kind, perm int, step stepRef, text [32]byte, ans string, separate bool) {
	if d.nRcpts == len(d.rcpts) {
		return
	}
	st := &d.st
	rc := receipt{kind: kind, perm: perm, step: step, text: text, answer: ans, separate: separate, prev: st.last, hasPrev: st.hasLast}
	body := d.appendReceipt(d.scratch[:0], &rc)
	d.scratch = body[:0]
	rc.hash = sha256.Sum256(body)
	st.last, st.hasLast = rc.hash, true
	d.rcpts[d.nRcpts] = rc
	d.nRcpts++
}

// appendReceipt appends a receipt's JSON without its hash member.
func (d *decision) appendReceipt(b []byte, rc *receipt) []byte {
	w := jsonWriter{b}
	w.raw(`{"kind":`)
	w.id(receiptKinds[rc.kind])
	w.raw(`,"policy":`)
	w.id(d.e.id)
	w.raw(`,"version":`)
	w.id(d.e.version)
	if rc.perm >= 0 {
		w.raw(`,"permission":`)
		w.id(bundle.Permissions[rc.perm])
	}
	if rc.step.sc >= 0 {
		w.raw(`,"scenario":`)
		w.id(d.e.scens[rc.step.sc].id)
		w.raw(`,"step":`)
		w.id(d.e.scens[rc.step.sc].steps[rc.step.st].id)
	}
	if rc.text != ([32]byte{}) {
		w.raw(`,"text":"`)
		w.b = hex.AppendEncode(w.b, rc.text[:])
		w.byte('"')
	}
	w.raw(`,"answer":`)
	w.id(rc.answer)
	if rc.separate {
		w.raw(`,"separate_consent":true`)
	}
	w.raw(`,"time":`)
	w.b = appendBytes(w.b, d.r.nowRaw)
	w.raw(`,"prev":"`)
	if rc.hasPrev {
		w.b = hex.AppendEncode(w.b, rc.prev[:])
	}
	w.raw(`"}`)
	return w.b
}

// rationaleHash is the hash of a rationale as shown in the request's
// locale: title, body, consequence and buttons. It is computed by the
// first receipt that needs it rather than at New, which keeps the
// module's start-up short, and then remembered.
func (d *decision) rationaleHash(sp *stepPermModel) [32]byte {
	lt := &d.e.locales[d.r.locale]
	t := &sp.texts[d.r.locale]
	t.shown.once.Do(func() {
		t.shown.sum = d.textHash(lt.perm[sp.perm].rationaleTitle.raw, t.body.raw, t.refusal.raw, lt.ratAccept.raw, lt.ratDecline.raw)
	})
	return t.shown.sum
}

// textHash is the SHA-256 of texts shown together, each ended by a
// newline. It joins them in the scratch space of the caller's buffer.
func (d *decision) textHash(texts ...string) [32]byte {
	b := d.scratch[:0]
	for _, t := range texts {
		b = append(append(b, t...), '\n')
	}
	d.scratch = b[:0]
	return sha256.Sum256(b)
}

// policyHash is the hash of the policy popup as shown in the request's
// locale: its title, body, lines of change and buttons.
func (d *decision) policyHash(pop, from int) [32]byte {
	lt := &d.e.locales[d.r.locale]
	title, body, accept, decline := d.e.popupTexts(lt, pop)
	texts := []string{title.raw, body.raw}
	if pop != popFirst {
		d.e.changeLines(from, d.r.locale, func(t text) { texts = append(texts, t.raw) })
	}
	return d.textHash(append(texts, accept.raw, decline.raw)...)
}

func (e *Engine) popupTexts(lt *localeTexts, pop int) (title, body, accept, decline text) {
	switch pop {
	case popFirst:
		return lt.policyTitle, lt.policyBody, lt.policyAccept, lt.policyDecl
	case popMajor:
		return lt.updTitle, lt.updMajor, lt.updAccept, lt.updDecline
	default:
		return lt.updTitle, lt.updMinor, lt.updAck, text{"", `""`}
	}
}

// changeLines calls fn with each line of what changed since version from.
func (e *Engine) changeLines(from, locale int, fn func(text)) {
	for i := from + 1; i < len(e.history); i++ {
		for _, c := range e.history[i].changes {
			fn(c.text[locale])
		}
	}
}

// consented reports whether consent to the policy is on record and no
// major update waits: the condition for any SDK to run.
func (d *decision) consented() bool {
	return d.st.accepted >= 0 && !d.st.basic && d.popupDue() != popMajor
}

// sdkRuns reports whether the i-th SDK may run now, given consent.
func (d *decision) sdkRuns(i int) bool {
	st := &d.st
	s := &d.e.sdks[i]
	if s.platforms&(1<<d.r.dev.platform) == 0 {
		return false
	}
	// An SDK added by a version the user has not accepted waits for it.
	for v := st.accepted + 1; v < len(d.e.history); v++ {
		for _, c := range d.e.history[v].changes {
			if c.sdk == i {
				return false
			}
		}
	}
	switch s.start {
	case startInScenario:
		for _, r := range s.steps {
			if r.sc == st.at.sc && (r.st < 0 || r.st == st.at.st) {
				return true
			}
		}
		return false
	case startWithPermission:
		for p := 0; p < nPerm; p++ {
			if s.requires&(1<<p) == 0 {
				continue
			}
			os := d.os(p)
			if (os != osGranted && os != osLimited) || st.perms[p].withdrawn {
				return false
			}
		}
	}
	return true
}

func appendInt(b []byte, n int64) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}
