// Package check finds compliance faults in a simulator transcript: the
// rules of docs/RULES.md, computed from what the app showed, what the user
// answered and what the device model says, never from the engine's own
// trace. Each fault names its rule, the request and why.
package check

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/vocab"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// Rule ids: those of docs/RULES.md, and CONTRACT for an answer that breaks the
// engine's wire contract (an error to a well-formed request, a broken
// receipt chain, a run the engine could not finish).
const (
	Preconsent = "PRECONSENT"
	BasicMode  = "BASIC_MODE"
	Reconsent  = "RECONSENT"
	JIT        = "JIT"
	Rationale  = "RATIONALE"
	Platform   = "PLATFORM"
	Settings   = "SETTINGS"
	Cooldown   = "COOLDOWN"
	Degrade    = "DEGRADE"
	Separate   = "SEPARATE"
	Withdraw   = "WITHDRAW"
	SDK        = "SDK"
	Contract   = "CONTRACT"
)

// Rules returns every rule the checks know, in docs/RULES.md's order.
func Rules() []string { return slices.Clone(rules[:]) }

var rules = [...]string{Preconsent, BasicMode, Reconsent, JIT, Rationale, Platform, Settings, Cooldown, Degrade, Separate, Withdraw, SDK, Contract}

// Fault is one broken rule.
type Fault struct {
	Rule   string `json:"rule"`
	Entry  int    `json:"entry"` // index of the request in the transcript
	Op     int    `json:"op"`    // index of the user's op
	Detail string `json:"detail"`
}

func (f Fault) String() string {
	return fmt.Sprintf("%s at request %d (op %d): %s", f.Rule, f.Entry+1, f.Op+1, f.Detail)
}

// Policy is what the checks need of a policy: its steps (their
// permissions, separate consents and system prompts), the permissions'
// platform identifiers, its SDKs and cooldown, its version and history,
// read from the bundle the engine runs; and the newer bundles that a
// run's update ops may load (WithUpdates), by which the checks judge
// what follows an update.
type Policy struct {
	b        *bundle.Bundle
	steps    map[string]*bundle.Step // "scenario/step"
	sdks     map[string]bundle.SDK
	cooldown time.Duration
	updates  map[string]*Policy // by the name an update op gives
}

// NewPolicy reads a bundle.
func NewPolicy(b *bundle.Bundle) *Policy {
	p := &Policy{b: b, steps: map[string]*bundle.Step{}, sdks: map[string]bundle.SDK{},
		cooldown: time.Duration(b.Policy.CooldownSeconds) * time.Second}
	for i := range b.Scenarios {
		sc := &b.Scenarios[i]
		for j := range sc.Steps {
			p.steps[sc.ID+"/"+sc.Steps[j].ID] = &sc.Steps[j]
		}
	}
	for _, s := range b.SDKs {
		p.sdks[s.ID] = s
	}
	return p
}

// WithUpdates returns the policy with the newer bundles that update ops
// may load, by the names the ops give (sim.Op.Bundle): after an update,
// the checks judge texts, steps and SDKs by the bundle in force.
func (p *Policy) WithUpdates(bundles map[string]*bundle.Bundle) *Policy {
	q := *p
	q.updates = map[string]*Policy{}
	for name, b := range bundles {
		q.updates[name] = NewPolicy(b)
	}
	return &q
}

// Version is the policy version the bundle is of.
func (p *Policy) Version() string { return p.b.Policy.Version }

// InForce is the policy in force at the end of a run: the bundle of its
// last update, or this one.
func (p *Policy) InForce(t *sim.Transcript) *Policy {
	q := p
	for i := range t.Entries {
		if u := p.updates[t.Entries[i].Update]; u != nil {
			q = u
		}
	}
	return q
}

// change is the change a policy popup of this version must name with
// consent to version from on record (nil: none): first, or major if any
// version of the history after from is marked major, else minor ("" when
// from is this version: no popup is due).
func (p *Policy) change(from *Policy) string {
	if from == nil {
		return "first"
	}
	if from.Version() == p.Version() {
		return ""
	}
	after := false
	for _, v := range p.b.History {
		if after && v.Change == vocab.ChangeMajor.String() {
			return "major"
		}
		after = after || v.Version == from.Version()
	}
	return "minor"
}

// Embeds reports whether the policy embeds an SDK on a platform: an SDK
// a platform does not carry can neither run nor stop there.
func (p *Policy) Embeds(sdk, platform string) bool {
	s, ok := p.sdks[sdk]
	return ok && slices.Contains(s.Platforms, platform)
}

// has reports whether the policy names an SDK.
func (p *Policy) has(sdk string) bool { _, ok := p.sdks[sdk]; return ok }

// Consents lists every separate consent the policy names, in steps and
// SDKs, as "<sensitive>/<purpose>", once each, sorted.
func (p *Policy) Consents() []string {
	var out []string
	for _, st := range p.steps {
		for _, sp := range separates(st) {
			out = append(out, key(sp))
		}
	}
	for _, s := range p.sdks {
		for _, c := range s.Consents {
			out = append(out, sim.Consent(c.Sensitive, c.Purpose))
		}
		for _, o := range s.Optional {
			if o.Sensitive != "" {
				out = append(out, sim.Consent(o.Sensitive, o.Purpose))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// rationaleConsents lists the consents that some step asks on the
// rationale of a permission, as "<sensitive>/<purpose>".
func (p *Policy) rationaleConsents(perm string) []string {
	var out []string
	for _, st := range p.steps {
		for i := range st.Permissions {
			if sp := &st.Permissions[i]; sp.ID == perm && sp.Separate() {
				out = append(out, key(sp))
			}
		}
	}
	return out
}

func (p *Policy) stepPermission(step, perm string) *bundle.StepPermission {
	st := p.steps[step]
	if st == nil || perm == "" {
		return nil
	}
	for i, sp := range st.Permissions {
		if sp.ID == perm {
			return &st.Permissions[i]
		}
	}
	return nil
}

// separates returns the step's entries that need separate consent: its
// consents, then its permissions that process a sensitive category.
func separates(st *bundle.Step) []*bundle.StepPermission {
	if st == nil {
		return nil
	}
	var out []*bundle.StepPermission
	for i := range st.Consents {
		out = append(out, &st.Consents[i])
	}
	for i := range st.Permissions {
		if st.Permissions[i].Separate() {
			out = append(out, &st.Permissions[i])
		}
	}
	return out
}

// stepConsent returns the step's entry that asks the consent k, or nil.
func (p *Policy) stepConsent(step, k string) *bundle.StepPermission {
	for _, sp := range separates(p.steps[step]) {
		if key(sp) == k {
			return sp
		}
	}
	return nil
}

// systemPrompt returns the step's system prompt row that admits the
// platform at the version, and whether the step has system prompts at all.
func (p *Policy) systemPrompt(step, platform, version string) (row *bundle.SystemPrompt, has bool) {
	st := p.steps[step]
	if st == nil || len(st.SystemPrompts) == 0 {
		return nil, false
	}
	for i, r := range st.SystemPrompts {
		if r.Platform != platform {
			continue
		}
		if ok, err := bundle.InRange(version, r.Min, r.Max); err == nil && ok {
			return &st.SystemPrompts[i], true
		}
	}
	return nil, true
}

func key(sp *bundle.StepPermission) string { return sim.Consent(sp.Sensitive, sp.ConsentPurpose) }

// checker walks a transcript keeping what it has seen.
type checker struct {
	root   *Policy // the bundle the engine starts with
	p      *Policy // the bundle in force: root, or the last update loaded
	t      *sim.Transcript
	faults []Fault

	// Policy versions. onRecord is the version whose consent is on record
	// (nil: none): accepted on its popup, or declared by a prior record;
	// declining an update keeps the one before. unshown says that an
	// update was loaded and no popup shown since; seenMinor is the version
	// whose minor popup the user has seen since the install.
	onRecord  *Policy
	unshown   bool
	seenMinor string
	popup     shown            // the latest policy popup
	screens   map[string]shown // the latest rationale ("perm:<permission>") and consent screen ("consent:<sensitive>/<purpose>")

	consent     bool                 // the policy accepted and not declined or withdrawn since
	declined    bool                 // the latest policy answer was a decline (basic mode)
	withdrawn   map[string]bool      // permissions withdrawn and not granted again since
	regrant     map[string]bool      // permissions withdrawn and not granted since through the app (a rationale accepted while the OS grants, or a dialog)
	refused     map[string]time.Time // optional permissions refused, when (clamped to each request's now)
	accepted    map[string]bool      // rationales accepted in this visit of a step
	refusedHere map[string]bool      // permissions refused in this visit of a step
	shownHere   map[string]bool      // permissions explained, requested or sent to the settings in this visit
	lastReceipt string
	lastSeq     int64
	lastTime    time.Time // the time of the newest receipt (zero: none known)

	// Separate consents, "<sensitive>/<purpose>".
	given       map[string]bool            // accepted on a screen asking exactly that, and not declined, withdrawn or cleared since
	withdrawnC  map[string]bool            // withdrawn by the user and not given again since
	declinedC   map[string]bool            // declined or withdrawn in this visit of a step, and not given again
	asking      map[string]string          // per permission, the consent its latest rationale asked ("" none)
	consentWith map[string]map[string]bool // per permission, the consents whose screens came with it (iOS)
}

// shown is a screen as the user saw it: the policy version in force then,
// the SHA-256 (hex) of its texts as its receipt hashes them, and, for a
// policy popup, its change and the SDKs that ran when it showed.
type shown struct {
	p      *Policy
	text   string
	change string
	sdks   []string
}

// Check returns every fault of a transcript.
func Check(p *Policy, t *sim.Transcript) []Fault {
	c := &checker{root: p, p: p, t: t}
	c.install()
	if t.Prior != nil {
		// What was declared on record before the run: the checks hold the
		// engine to it, whatever its state says.
		c.consent = t.Prior.Policy
		if c.consent {
			c.onRecord = p
		}
		for _, k := range t.Prior.Consents {
			c.given[k] = true
		}
		// The receipts of the earlier version are the host's, not the
		// run's: the first one here may chain to any of them.
		c.lastReceipt = anyReceipt
	}
	lastOp := -1
	for i := range t.Entries {
		e := &t.Entries[i]
		// A reinstall wipes the app: what the checks knew goes with it.
		for op := lastOp + 1; op <= e.Op && op < len(t.Ops); op++ {
			if t.Ops[op].Kind == sim.OpReinstall {
				c.install()
			}
		}
		lastOp = e.Op
		c.entry(i, e)
	}
	if t.Failure != "" {
		c.fault(len(t.Entries)-1, Contract, "the run could not go on: %s", t.Failure)
	}
	return c.faults
}

func (c *checker) fault(i int, rule, format string, args ...any) {
	op := 0
	if i >= 0 && i < len(c.t.Entries) {
		op = c.t.Entries[i].Op
	}
	c.faults = append(c.faults, Fault{Rule: rule, Entry: i, Op: op, Detail: fmt.Sprintf(format, args...)})
}

// install forgets everything: a fresh install.
func (c *checker) install() {
	c.consent, c.declined = false, false
	c.withdrawn = map[string]bool{}
	c.regrant = map[string]bool{}
	c.refused = map[string]time.Time{}
	c.given = map[string]bool{}
	c.withdrawnC = map[string]bool{}
	c.asking = map[string]string{}
	c.consentWith = map[string]map[string]bool{}
	c.lastReceipt, c.lastSeq, c.lastTime = "", 0, time.Time{}
	c.onRecord, c.unshown, c.seenMinor = nil, false, ""
	c.popup = shown{}
	c.screens = map[string]shown{}
	c.newVisit()
}

func (c *checker) newVisit() {
	c.accepted = map[string]bool{}
	c.refusedHere = map[string]bool{}
	c.shownHere = map[string]bool{}
	c.declinedC = map[string]bool{}
}

func (c *checker) entry(i int, e *sim.Entry) {
	r := &e.Response
	// A time recorded later than the request's now counts as now (a clock
	// that ran ahead and was corrected), and is kept so.
	for perm, t := range c.refused {
		if t.After(e.Time) {
			c.refused[perm] = e.Time
		}
	}
	if e.Update != "" {
		// A newer bundle: what follows is judged by it.
		if u := c.root.updates[e.Update]; u != nil {
			c.p, c.unshown = u, true
		} else {
			c.fault(i, Contract, "the run loaded the update %q, which the checks were not given (Policy.WithUpdates)", e.Update)
		}
	}
	if r.Error != nil {
		c.fault(i, Contract, "a well-formed %s got the error %s: %s", e.Event.Type, r.Error.Code, r.Error.Message)
		return
	}
	ev := &e.Event
	record := c.onRecord // before the event
	minorDeclined := false
	optional := func(perm string) bool {
		sp := c.p.stepPermission(e.Step, perm)
		return sp != nil && sp.Consequence != vocab.Blocking.String()
	}
	// What the event tells.
	switch ev.Type {
	case "launch":
		c.newVisit()
	case "enter":
		c.newVisit()
	case "policy_answer":
		switch {
		case ev.Accepted != nil && *ev.Accepted:
			c.consent, c.declined = true, false
			// The version accepted is the popup's, whichever bundle is
			// in force by the answer.
			c.onRecord = c.popup.p
			if c.popup.p == nil {
				c.onRecord = c.p
			}
			if c.popup.change == "major" {
				// A major update accepted asks every separate consent anew.
				c.given = map[string]bool{}
			}
			if c.popup.change != "minor" {
				// A blocking popup stopped the step it came in: accepted,
				// the step starts again, a new visit.
				c.newVisit()
			}
		case c.popup.change == "minor" && c.consent:
			// A minor update declined: the version on record stands, the
			// app goes on.
			minorDeclined = true
		default:
			c.consent, c.declined = false, true
		}
	case "withdraw":
		switch {
		case ev.Permission == "policy":
			c.consent, c.onRecord = false, nil
			for _, st := range c.p.steps {
				for _, sp := range st.Permissions {
					c.withdrawn[sp.ID], c.regrant[sp.ID] = true, true
				}
			}
			for k := range c.given {
				c.withdrawConsent(k)
			}
		case ev.Sensitive != "" || ev.Purpose != "":
			c.withdrawConsent(sim.Consent(ev.Sensitive, ev.Purpose))
		default:
			c.withdrawn[ev.Permission], c.regrant[ev.Permission] = true, true
			// The consents asked on this permission's rationales were
			// given with it, on one screen: they go with it.
			for _, k := range c.p.rationaleConsents(ev.Permission) {
				if c.given[k] {
					c.withdrawConsent(k)
				}
			}
		}
	case "rationale_answer":
		k := c.asking[ev.Permission]
		if ev.Accepted != nil && *ev.Accepted {
			c.accepted[ev.Permission] = true
			if st := e.OS[ev.Permission]; st == "granted" || st == "limited" {
				delete(c.regrant, ev.Permission)
			}
			if k != "" {
				c.give(k)
			}
		} else {
			c.refusal(e, ev.Permission, optional(ev.Permission))
			if k != "" {
				delete(c.given, k)
				c.declinedC[k] = true
			}
		}
	case "consent_answer":
		k := sim.Consent(ev.Sensitive, ev.Purpose)
		if ev.Accepted != nil && *ev.Accepted {
			c.give(k)
		} else {
			delete(c.given, k)
			c.declinedC[k] = true
			// The permissions that rest on it go unasked: that is their refusal.
			if st := c.p.steps[e.Step]; st != nil {
				for _, sp := range st.Permissions {
					if sp.Separate() && key(&sp) == k {
						c.refusal(e, sp.ID, optional(sp.ID))
					}
				}
			}
		}
	case "permission_result":
		switch ev.Result {
		case "granted", "limited":
			// A grant ends the refusal: the cooldown no longer applies.
			delete(c.regrant, ev.Permission)
			delete(c.refusedHere, ev.Permission)
			delete(c.refused, ev.Permission)
		default:
			c.refusal(e, ev.Permission, optional(ev.Permission))
		}
	}
	c.receipts(i, e, record)
	c.texts(i, e)
	c.updates(i, e, minorDeclined)
	c.actions(i, e, optional)
	c.sdks(i, e)
}

// updates judges an answer by the policy versions (RECONSENT): an update
// comes before anything else in the first answer after it is loaded (to
// a launch, an enter or an answer to a screen), and at every launch while
// consent on record is to an older version (a declined minor update is
// offered again there); a declined minor update is no refusal of the
// policy: no basic mode, and the SDKs that ran when its popup showed run
// on (BASIC_MODE).
func (c *checker) updates(i int, e *sim.Entry, minorDeclined bool) {
	ev, acts := &e.Event, e.Response.Actions
	first := len(acts) > 0 && acts[0].Type == "show_policy"
	if c.consent && c.onRecord != nil && c.onRecord.Version() != c.p.Version() && !first {
		switch ev.Type {
		case "launch":
			c.fault(i, Reconsent, "launch does not begin with the popup of policy %s, while consent on record is to %s: an update not accepted is offered at every launch", c.p.Version(), c.onRecord.Version())
		case "enter", "policy_answer", "rationale_answer", "permission_result", "consent_answer":
			if c.unshown {
				c.fault(i, Reconsent, "the first answer after policy %s was loaded (to %s) does not begin with its popup: an update comes before anything else", c.p.Version(), describe(ev))
			}
		}
	}
	if !minorDeclined {
		return
	}
	for _, a := range acts {
		if a.Type == "basic_mode" {
			c.fault(i, BasicMode, "basic mode after the user declined the minor update to %s: consent to %s stands and the app goes on", c.popup.p.Version(), c.onRecord.Version())
		}
	}
	for _, id := range c.popup.sdks {
		if !slices.Contains(e.Response.SDKs, id) {
			c.fault(i, BasicMode, "SDK %s stops when the user declines the minor update to %s: consent to %s stands, and its SDKs run on", id, c.popup.p.Version(), c.onRecord.Version())
		}
	}
}

func (c *checker) give(k string) {
	c.given[k] = true
	delete(c.withdrawnC, k)
	delete(c.declinedC, k)
}

func (c *checker) withdrawConsent(k string) {
	delete(c.given, k)
	c.withdrawnC[k] = true
	c.declinedC[k] = true
}

func (c *checker) refusal(e *sim.Entry, perm string, optional bool) {
	c.refusedHere[perm] = true
	if optional {
		c.refused[perm] = e.Time
	}
}

// granted reports whether a permission counts as granted on the device
// now: granted or limited as the OS reports it, or, where the platform
// does not have it, not reported refused.
func granted(e *sim.Entry, dev *device.Device, perm string) bool {
	st, ok := e.OS[perm]
	if !ok || !dev.Has(perm) {
		return st != "denied" && st != "denied_forever" && st != "restricted"
	}
	return st == "granted" || st == "limited"
}

func (c *checker) actions(i int, e *sim.Entry, optional func(string) bool) {
	ev := &e.Event
	platform := c.t.Profile.Platform
	dev := c.device(e)
	// asked reports whether a step entry applies here and needs the
	// user: its platform constraint admits the device and, for a
	// permission, the device grants the step's access level in a dialog or
	// in the settings and the policy declares it for this platform and
	// version (a picker, a store or an install-time grant asks nothing).
	asked := func(sp *bundle.StepPermission) bool {
		if !sp.AppliesTo(platform, e.Version) {
			return false
		}
		if sp.ID == "" {
			return true
		}
		d := c.p.b.Declaration(sp.ID, sp.Access, platform, e.Version)
		switch w := dev.Way(sp.ID, accessOf(sp)); {
		case d == nil, w.Kind != device.KindRuntime && w.Kind != device.KindSpecial:
			return false
		}
		return d.GrantKind() == vocab.GrantRuntime || d.GrantKind() == vocab.GrantSpecial
	}
	row, prompts := c.p.systemPrompt(e.Step, platform, e.Version)
	nowhere := prompts && row == nil // a step the device cannot do
	requests := 0
	for k := range e.Response.Actions {
		a := &e.Response.Actions[k]
		switch a.Type {
		case "show_policy":
			if k != 0 {
				c.fault(i, Reconsent, "the policy popup comes after %s: a newer policy is shown before anything else", e.Response.Actions[0].Type)
			}
			if ev.Type == "policy_answer" && ev.Accepted != nil && !*ev.Accepted && a.Change != "minor" {
				c.fault(i, BasicMode, "the policy popup comes back right after the user declined it")
			}
			if ev.Type == "launch" && c.declined {
				c.fault(i, BasicMode, "the policy popup comes back at launch after the user declined it, instead of basic mode")
			}
			if a.Change == "first" && c.consent {
				c.fault(i, Reconsent, "the policy popup asks for consent to the policy again (first), which is on record")
			}
			c.policyPopup(i, e, a)
		case "basic_mode":
		case "show_consent":
			k := a.Consent()
			if !c.consent {
				c.fault(i, Preconsent, "show_consent %s before the policy is accepted", k)
			}
			sp := c.p.stepConsent(e.Step, k)
			switch {
			case ev.Type == "launch":
				c.fault(i, JIT, "show_consent %s at launch: launch asks for nothing", k)
			case sp == nil:
				c.fault(i, JIT, "show_consent %s in %s, which does not process it", k, stepName(e.Step))
			case !sp.AppliesTo(platform, e.Version):
				c.fault(i, JIT, "show_consent %s in %s on %s %s, where the policy does not ask for it", k, stepName(e.Step), platform, e.Version)
			}
			if c.given[k] {
				c.fault(i, Separate, "show_consent asks %s again, which the user gave and has on record", k)
			}
			if sp != nil && a.Permission != "" && sp.ID != a.Permission {
				c.fault(i, Separate, "show_consent %s names the permission %s, which the step's consent does not come with", k, a.Permission)
			}
			if a.Permission != "" {
				if c.consentWith[a.Permission] == nil {
					c.consentWith[a.Permission] = map[string]bool{}
				}
				c.consentWith[a.Permission][k] = true
			}
			c.screens["consent:"+k] = shown{p: c.p, text: screenHash(a)}
			if nowhere {
				c.fault(i, Platform, "show_consent %s in %s, which %s %s cannot do: the step is unavailable here", k, stepName(e.Step), platform, e.Version)
			}
			for _, sp := range separates(c.p.steps[e.Step]) {
				if key(sp) == k && sp.ID != "" {
					c.shownHere[sp.ID] = true
				}
			}
		case "show_rationale", "request_permission", "open_settings":
			perm := a.Permission
			c.shownHere[perm] = true
			if !c.consent {
				c.fault(i, Preconsent, "%s %s before the policy is accepted", a.Type, perm)
			}
			sp := c.p.stepPermission(e.Step, perm)
			if ev.Type == "launch" {
				c.fault(i, JIT, "%s %s at launch: launch asks for no permission", a.Type, perm)
			} else if sp == nil {
				c.fault(i, JIT, "%s %s in %s, which does not declare it", a.Type, perm, stepName(e.Step))
			} else if !sp.AppliesTo(platform, e.Version) {
				c.fault(i, JIT, "%s %s in %s on %s %s, where the policy does not ask for it", a.Type, perm, stepName(e.Step), platform, e.Version)
			}
			idProblems := false
			if !dev.Has(perm) {
				c.fault(i, Platform, "%s %s, which %s %s does not have", a.Type, perm, platform, e.Version)
				if a.Type == "request_permission" {
					idProblems = c.requestIDs(i, e, a, dev.Way(perm, accessOf(sp)), dev)
				}
			} else {
				idProblems = c.accessLevel(i, e, a, sp, dev)
			}
			if platform == "ios" && a.Type == "show_rationale" && a.Decline != "" {
				c.fault(i, Rationale, "the pre-permission screen for %s on iOS has a decline button (%q): App Review 5.1.1(iv) wants one button, on to the system dialog, where the user decides", perm, a.Decline)
			}
			if platform != "ios" && a.Type == "show_rationale" && a.Decline == "" {
				c.fault(i, Rationale, "the rationale for %s has no decline button: the user cannot refuse before the system dialog", perm)
			}
			if nowhere {
				c.fault(i, Platform, "%s %s in %s, which %s %s cannot do: the step is unavailable here", a.Type, perm, stepName(e.Step), platform, e.Version)
			}
			if a.Type == "open_settings" {
				break
			}
			if t, ok := c.refused[perm]; ok && optional(perm) && e.Time.Sub(t) < c.p.cooldown {
				c.fault(i, Cooldown, "%s %s %s after the user refused it, within the cooldown of %s", a.Type, perm, e.Time.Sub(t), c.p.cooldown)
			}
			if a.Type == "show_rationale" {
				c.asking[perm] = a.Consent()
				c.screens["perm:"+perm] = shown{p: c.p, text: screenHash(a)}
				switch {
				case sp == nil:
				case platform == "ios" && a.Consent() != "":
					c.fault(i, Separate, "the pre-permission screen for %s on iOS asks for separate consent to %s: on iOS it has one button, so that consent is asked before it on its own screen, with agree and decline", perm, a.Consent())
				case platform == "ios" && sp.Separate() && !c.given[key(sp)]:
					c.fault(i, Separate, "the pre-permission screen for %s in %s on iOS comes before the separate consent %s was given on its own screen", perm, stepName(e.Step), key(sp))
				case platform == "ios":
				case sp.Separate() && a.Consent() != key(sp):
					c.fault(i, Separate, "the rationale for %s in %s asks for separate consent to %q, not to %s", perm, stepName(e.Step), a.Consent(), key(sp))
				case !sp.Separate() && a.Consent() != "":
					c.fault(i, Separate, "the rationale for %s in %s asks for separate consent to %s, which the policy does not tie to it", perm, stepName(e.Step), a.Consent())
				case sp.Separate() && c.given[key(sp)] && !c.regrant[perm] && dev.Has(perm) && granted(e, dev, perm):
					// (A permission withdrawn in the app and not granted
					// through it since may be explained again, its
					// consent line with it.)
					c.fault(i, Separate, "the rationale for %s in %s asks %s again, which is on record, while the OS grants %s", perm, stepName(e.Step), key(sp), perm)
				}
				break
			}
			requests++
			if !(ev.Type == "rationale_answer" && ev.Permission == perm && ev.Accepted != nil && *ev.Accepted) {
				c.fault(i, Rationale, "the system dialog for %s is requested without a rationale the user just accepted", perm)
			}
			if !idProblems && e.Dialog != nil && e.Dialog.Permission == perm && !e.Dialog.Shown && (e.Dialog.Privacy == nil || e.Dialog.Privacy.Result == "granted") {
				c.fault(i, Settings, "%s is requested although the OS shows no dialog any more: the user should be guided to the settings", perm)
			}
		case "block":
			if a.Permission != "" {
				if optional(a.Permission) {
					c.fault(i, Degrade, "%s blocks %s although refusing it is %s", a.Permission, stepName(e.Step), c.p.stepPermission(e.Step, a.Permission).Consequence)
				}
				break
			}
			k := a.Consent()
			sp := c.p.stepConsent(e.Step, k)
			switch {
			case sp == nil:
				c.fault(i, Degrade, "%s blocks for the consent %q, which the step does not ask", stepName(e.Step), k)
			case sp.Consequence != vocab.Blocking.String():
				c.fault(i, Degrade, "%s blocks for %s although refusing it is %s", stepName(e.Step), k, sp.Consequence)
			case !c.declinedC[k]:
				c.fault(i, Degrade, "%s blocks for %s, which the user did not decline or withdraw in this visit", stepName(e.Step), k)
			}
		case "unavailable":
			switch {
			case !prompts:
				c.fault(i, Platform, "%s answers unavailable, but the policy gives it no system prompt to be unavailable without", stepName(e.Step))
			case row != nil:
				c.fault(i, Platform, "%s answers unavailable on %s %s, where the policy's system prompt %s serves it", stepName(e.Step), platform, e.Version, row.API)
			}
		case "proceed":
			c.proceed(i, e, a, dev, asked, optional, row, prompts)
		}
	}
	if requests > 1 {
		c.fault(i, JIT, "%d permissions requested at once", requests)
	}
	// A rationale accepted clears the withdrawal it answers.
	if ev.Type == "rationale_answer" && ev.Accepted != nil && *ev.Accepted {
		delete(c.withdrawn, ev.Permission)
	}
}

// policyPopup judges a policy popup by the versions (RECONSENT): it shows
// the version in force, names the change the policy's history gives
// between the version on record and it, blocks unless it is minor, offers
// a choice (agree and decline), and a minor one seen already waits for the
// next launch. It keeps the popup as the user saw it.
func (c *checker) policyPopup(i int, e *sim.Entry, a *sim.Action) {
	from := "none"
	if c.onRecord != nil {
		from = c.onRecord.Version()
	}
	switch want := c.p.change(c.onRecord); {
	case a.Version != c.p.Version():
		c.fault(i, Reconsent, "the policy popup shows version %q; the bundle in force is %s", a.Version, c.p.Version())
	case want == "":
		c.fault(i, Reconsent, "a policy popup (%s) for version %s, to which consent is on record", a.Change, a.Version)
	case a.Change != want:
		c.fault(i, Reconsent, "the policy popup of %s says %q; with consent to %s on record the policy's history makes it %s", a.Version, a.Change, from, want)
	}
	if a.Blocking != (a.Change != "minor") {
		c.fault(i, Reconsent, "a %s policy popup with blocking %v: a minor update does not block, the first popup and a major update do", a.Change, a.Blocking)
	}
	if a.Accept == "" || a.Decline == "" {
		c.fault(i, Reconsent, "the %s policy popup of %s offers no choice (accept %q, decline %q): every revision asks whether the user agrees", a.Change, a.Version, a.Accept, a.Decline)
	}
	if a.Change == "minor" && e.Event.Type != "launch" && c.seenMinor == a.Version {
		c.fault(i, Reconsent, "the minor update to %s is offered again on %s after the user saw it: once seen, it waits for the next launch", a.Version, describe(&e.Event))
	}
	if a.Change == "minor" {
		c.seenMinor = a.Version
	}
	c.popup = shown{p: c.p, text: popupHash(a), change: a.Change, sdks: e.Response.SDKs}
	c.unshown = false
}

// device is the device model as it was at an entry: the run's profile
// (a vendor system stays one) at the entry's version, which an upgrade
// may have changed.
func (c *checker) device(e *sim.Entry) *device.Device {
	p := c.t.Profile
	p.Version = e.Version
	return device.NewAt(p, e.Time)
}

// accessOf is the access level a step asks of its permission.
func accessOf(sp *bundle.StepPermission) string {
	if sp == nil || sp.Access == "" {
		return device.AccessFull
	}
	return sp.Access
}

// accessLevel judges a rationale, request or settings hint for a
// permission the device has by what the policy's step needs of it (its
// access level) and how the device serves that: nothing is asked where a
// picker, component or store serves it or where it is granted at install;
// a special access is granted on its own settings page, never in a
// dialog; a request names only identifiers that the device grants in a
// dialog for that level. It reports whether the request's identifiers
// were at fault (then the device refused it without a dialog, and the
// SETTINGS clause on dialogs that no longer show does not apply).
func (c *checker) accessLevel(i int, e *sim.Entry, a *sim.Action, sp *bundle.StepPermission, dev *device.Device) (idProblems bool) {
	platform, perm, access := c.t.Profile.Platform, a.Permission, accessOf(sp)
	on := platform + " " + e.Version
	w := dev.Way(perm, access)
	switch w.Kind {
	case device.KindNone:
		c.fault(i, Platform, "%s %s in %s, which needs %s access: %s serves it on %s without any permission, so nothing is to be asked", a.Type, perm, stepName(e.Step), access, strings.Join(w.APIs, " or "), on)
		return false
	case device.KindInstall:
		if a.Type == "show_rationale" && c.withdrawn[perm] {
			return false // explained again after its withdrawal, before it is used again (WITHDRAW)
		}
		c.fault(i, Platform, "%s %s: %s grants it at install (%s), so nothing is to be asked", a.Type, perm, on, strings.Join(w.IDs, ", "))
		return false
	case device.KindRestricted:
		c.fault(i, Platform, "%s %s at %s access: on %s that is restricted (%s), never granted to an ordinary app", a.Type, perm, access, on, strings.Join(w.IDs, ", "))
		return false
	case "":
		c.fault(i, Platform, "%s %s at %s access, which %s does not serve", a.Type, perm, access, on)
		return false
	}
	switch a.Type {
	case "open_settings":
		switch {
		case w.Kind == device.KindSpecial && (!a.Special || a.Settings != w.Settings):
			c.fault(i, Settings, "open_settings for %s names the page %q (special %v), not %s, the only page where %s grants this special access", perm, a.Settings, a.Special, w.Settings, on)
		case w.Kind == device.KindRuntime && (a.Special || a.Settings != ""):
			c.fault(i, Settings, "open_settings for %s names the special-access page %q, but %s grants %s in a dialog and on the app's own settings page", perm, a.Settings, on, perm)
		}
		return false
	case "request_permission":
	default:
		return false
	}
	if w.Kind == device.KindSpecial {
		c.fault(i, Settings, "request_permission %s: a special access, which %s grants only on its settings page (%s), never in a dialog", perm, on, w.Settings)
	}
	return c.requestIDs(i, e, a, w, dev)
}

// requestIDs judges the identifiers a request names against the device
// and the way it serves the step's access level (w), and reports whether
// any was at fault.
func (c *checker) requestIDs(i int, e *sim.Entry, a *sim.Action, w device.Way, dev *device.Device) (idProblems bool) {
	platform, perm := c.t.Profile.Platform, a.Permission
	on := platform + " " + e.Version
	access := accessOf(c.p.stepPermission(e.Step, perm))
	if len(a.PlatformIDs) == 0 {
		c.fault(i, Platform, "request_permission %s names no identifier", perm)
		return true
	}
	for _, id := range a.PlatformIDs {
		f := dev.Identifier(id)
		switch {
		case !f.Known:
			c.fault(i, Platform, "request_permission %s names %s, which is no identifier of %s", perm, id, platform)
		case !f.Exists:
			c.fault(i, Platform, "request_permission %s names %s, which %s does not have: it exists %s", perm, id, on, f.Range)
		case f.Kind == device.KindRestricted:
			c.fault(i, Platform, "request_permission %s names %s, a restricted permission (signature, privileged or ACL) that %s never grants an ordinary app", perm, id, platform)
		case f.Kind == device.KindInstall:
			c.fault(i, Platform, "request_permission %s names %s, which %s grants at install: there is no dialog for it", perm, id, on)
		case f.Kind == device.KindSpecial:
			c.fault(i, Settings, "request_permission %s names %s, a special access that %s grants only in the settings", perm, id, on)
		case !slices.Contains(w.IDs, id):
			c.fault(i, Platform, "request_permission %s names %s, more than %s access needs on %s (%s)", perm, id, access, on, strings.Join(w.IDs, ", "))
		default:
			continue
		}
		idProblems = true
	}
	return idProblems
}

// systemAPIs judges a proceed's system APIs: each one serves a permission
// of the step at the access level the step asks, and the device has it;
// and every permission of the step that the device serves without a
// permission at that level (a picker, a component, a store) is named, so
// that the app knows which call to use.
func (c *checker) systemAPIs(i int, e *sim.Entry, a *sim.Action, dev *device.Device) {
	on := c.t.Profile.Platform + " " + e.Version
	listed := map[string]bool{}
	for _, api := range a.SystemAPIs {
		listed[api.Permission] = true
		sp := c.p.stepPermission(e.Step, api.Permission)
		switch {
		case sp == nil:
			c.fault(i, Platform, "%s goes on with %s for %s, which the step does not ask", stepName(e.Step), api.API, api.Permission)
		case api.Access != accessOf(sp):
			c.fault(i, Platform, "%s goes on with %s for %s at %s access; the policy's step asks %s", stepName(e.Step), api.API, api.Permission, api.Access, accessOf(sp))
		case !dev.Offers(api.Permission, api.Access, api.API):
			w := dev.Way(api.Permission, api.Access)
			if w.Kind == device.KindNone {
				c.fault(i, Platform, "%s goes on with %s for %s (%s), which %s does not have: %s serves it there", stepName(e.Step), api.API, api.Permission, api.Access, on, strings.Join(w.APIs, " or "))
			} else {
				c.fault(i, Platform, "%s goes on with %s for %s (%s), which %s does not have: no system API serves it there without a permission", stepName(e.Step), api.API, api.Permission, api.Access, on)
			}
		}
	}
	step := c.p.steps[e.Step]
	if step == nil {
		return
	}
	for k := range step.Permissions {
		sp := &step.Permissions[k]
		if listed[sp.ID] || slices.Contains(a.Missing, sp.ID) || !sp.AppliesTo(c.t.Profile.Platform, e.Version) {
			continue
		}
		if w := dev.Way(sp.ID, accessOf(sp)); w.Kind == device.KindNone {
			c.fault(i, Platform, "%s goes on without naming the system API for %s (%s access), which %s serves on %s without a permission", stepName(e.Step), sp.ID, accessOf(sp), strings.Join(w.APIs, " or "), on)
		}
	}
}

func (c *checker) proceed(i int, e *sim.Entry, a *sim.Action, dev *device.Device, asked func(*bundle.StepPermission) bool,
	optional func(string) bool, row *bundle.SystemPrompt, prompts bool) {
	platform := c.t.Profile.Platform
	step := c.p.steps[e.Step]
	// Each missing ask that goes on another way says how: one fallback
	// text each, as the policy writes them.
	if step != nil {
		want := 0
		for _, sps := range [][]bundle.StepPermission{step.Consents, step.Permissions} {
			for k := range sps {
				sp := &sps[k]
				missing := slices.Contains(a.Missing, sp.ID)
				if sp.ID == "" {
					missing = slices.Contains(a.MissingConsents, key(sp))
				}
				if missing && sp.Fallback != "" {
					want++
				}
			}
		}
		if len(a.Fallbacks) != want {
			c.fault(i, Degrade, "%s goes on with %d fallback text(s) for what is missing (%v), the policy gives %d", stepName(e.Step), len(a.Fallbacks), append(slices.Clone(a.Missing), a.MissingConsents...), want)
		}
	}
	for perm := range c.refusedHere {
		if sp := c.p.stepPermission(e.Step, perm); sp != nil && sp.Consequence == vocab.Blocking.String() {
			c.fault(i, Degrade, "%s goes on although its blocking permission %s was refused", stepName(e.Step), perm)
		}
	}
	for perm := range c.withdrawn {
		sp := c.p.stepPermission(e.Step, perm)
		if sp == nil || !sp.AppliesTo(platform, e.Version) || c.accepted[perm] || slices.Contains(a.Missing, perm) || !dev.Has(perm) {
			continue
		}
		if dev.Way(perm, accessOf(sp)).Kind == device.KindNone {
			continue // a picker or a store: the step uses no permission to restore
		}
		if st := e.OS[perm]; st == "granted" || st == "limited" {
			c.fault(i, Withdraw, "%s goes on with %s, withdrawn and not granted again through a rationale", stepName(e.Step), perm)
		}
	}
	// Separate consents: each entry that processes a sensitive category for
	// a purpose needs that consent on record, whatever the OS grants,
	// unless the step goes on without it (listed missing).
	for _, sp := range separates(step) {
		k := key(sp)
		if sp.Consequence == vocab.Blocking.String() && sp.ID == "" && asked(sp) {
			if c.declinedC[k] {
				c.fault(i, Degrade, "%s goes on although its blocking consent %s was declined", stepName(e.Step), k)
			} else if slices.Contains(a.MissingConsents, k) {
				c.fault(i, Degrade, "%s goes on without its blocking consent %s", stepName(e.Step), k)
			}
		}
		if sp.ID == "" && c.given[k] && slices.Contains(a.MissingConsents, k) {
			c.fault(i, Separate, "%s lists %s missing although the user gave it and did not withdraw it", stepName(e.Step), k)
		}
		if !asked(sp) || c.given[k] || slices.Contains(a.MissingConsents, k) || (sp.ID != "" && slices.Contains(a.Missing, sp.ID)) {
			continue
		}
		if c.withdrawnC[k] {
			c.fault(i, Withdraw, "%s goes on with %s, which the user withdrew", stepName(e.Step), k)
		} else {
			c.fault(i, Separate, "%s goes on with %s although the user never accepted a screen asking it", stepName(e.Step), k)
		}
	}
	c.systemAPIs(i, e, a, dev)
	// The platform's own prompt.
	switch {
	case prompts && row == nil:
		c.fault(i, Platform, "%s goes on on %s %s, where none of its system prompts serves: it is unavailable here", stepName(e.Step), platform, e.Version)
	case prompts && a.SystemPrompt != row.API:
		c.fault(i, Platform, "%s goes on with the system prompt %q, not %s as the policy says for %s %s", stepName(e.Step), a.SystemPrompt, row.API, platform, e.Version)
	case !prompts && a.SystemPrompt != "":
		c.fault(i, Platform, "%s goes on with the system prompt %q, which the policy does not give it", stepName(e.Step), a.SystemPrompt)
	}
	// An optional permission skipped as refused needs a refusal within the
	// cooldown (a refusal later than now counts as now).
	for _, perm := range a.Missing {
		sp := c.p.stepPermission(e.Step, perm)
		if sp == nil || !optional(perm) || !asked(sp) || c.shownHere[perm] || c.withdrawn[perm] || e.OS[perm] == "restricted" {
			continue
		}
		if t, ok := c.refused[perm]; ok && e.Time.Sub(t) < c.p.cooldown {
			continue
		}
		if t, ok := c.refused[perm]; ok {
			c.fault(i, Cooldown, "%s goes on without asking %s, refused %s ago, longer than the cooldown of %s", stepName(e.Step), perm, e.Time.Sub(t), c.p.cooldown)
		} else {
			c.fault(i, Cooldown, "%s goes on without asking %s, which the user never refused", stepName(e.Step), perm)
		}
	}
}

func (c *checker) sdks(i int, e *sim.Entry) {
	platform := c.t.Profile.Platform
	dev := c.device(e)
	// holds says whether a permission and a consent an SDK rests on hold,
	// and, if not, why and under which rule.
	holds := func(perm, k string) (rule, why string) {
		switch {
		case perm != "" && c.withdrawn[perm]:
			return Withdraw, perm + " was withdrawn"
		case perm != "" && !granted(e, dev, perm):
			return SDK, perm + " is " + orNot(e.OS[perm])
		case k != "" && c.withdrawnC[k]:
			return Withdraw, "the consent " + k + " was withdrawn"
		case k != "" && !c.given[k]:
			return SDK, "the consent " + k + " is not on record"
		}
		return "", ""
	}
	// With consent on record to an older version than the one in force, a
	// major update stops every SDK until it is accepted, and an SDK the
	// newer version adds waits for it (RECONSENT).
	waiting := ""
	if c.consent && c.onRecord != nil {
		waiting = c.p.change(c.onRecord)
	}
	running := map[string]bool{}
	for _, id := range e.Response.SDKs {
		running[id] = true
		if !c.consent {
			c.fault(i, Preconsent, "SDK %s runs before the policy is accepted or after it is withdrawn", id)
			continue
		}
		switch {
		case waiting == "major":
			c.fault(i, Reconsent, "SDK %s runs while the major update to %s waits for consent (on record: %s)", id, c.p.Version(), c.onRecord.Version())
		case waiting == "minor" && !c.onRecord.has(id):
			c.fault(i, Reconsent, "SDK %s runs, which version %s adds and the user has not accepted (consent on record: %s)", id, c.p.Version(), c.onRecord.Version())
		}
		s, ok := c.p.sdks[id]
		if !ok {
			c.fault(i, Contract, "SDK %s is not in the policy", id)
			continue
		}
		if !slices.Contains(s.Platforms, platform) {
			c.fault(i, SDK, "SDK %s runs on %s, which is not among its platforms %v", id, platform, s.Platforms)
		}
		if len(s.Scenarios) > 0 && !inScenario(s.Scenarios, e.Step) {
			c.fault(i, SDK, "SDK %s runs in %s, outside its scenarios %v", id, stepName(e.Step), s.Scenarios)
		}
		for _, perm := range s.Requires {
			if rule, why := holds(perm, ""); rule != "" {
				c.fault(i, rule, "SDK %s runs although %s", id, why)
			}
		}
		for _, cs := range s.Consents {
			if rule, why := holds("", sim.Consent(cs.Sensitive, cs.Purpose)); rule != "" {
				c.fault(i, rule, "SDK %s runs although %s", id, why)
			}
		}
		if _, listed := e.Response.SDKData[id]; len(s.Optional) > 0 && !listed {
			c.fault(i, SDK, "SDK %s runs with optional data, but sdk_data does not say which it may collect", id)
		}
	}
	for id, data := range e.Response.SDKData {
		if !running[id] {
			c.fault(i, SDK, "sdk_data lists %s, which does not run", id)
			continue
		}
		s := c.p.sdks[id]
		for _, d := range data {
			k := slices.IndexFunc(s.Optional, func(o bundle.OptionalData) bool { return o.Data == d })
			if k < 0 {
				c.fault(i, SDK, "sdk_data lets %s collect %s, which the policy does not give it as optional data", id, d)
				continue
			}
			o := s.Optional[k]
			ck := ""
			if o.Sensitive != "" {
				ck = sim.Consent(o.Sensitive, o.Purpose)
			}
			if rule, why := holds(o.Permission, ck); rule != "" {
				c.fault(i, rule, "sdk_data lets %s collect %s although %s", id, d, why)
			}
		}
	}
}

// receipts checks that every answer gets one receipt, that they chain,
// that a receipt of a separate consent answers a screen that asked it, and
// that each names the version whose text the user saw and hashes that
// text: a policy receipt the popup answered (the version in force when it
// showed), a rationale or permission receipt the permission's rationale, a
// consent receipt its consent screen, also when a newer bundle was loaded
// before the answer; the withdrawal of the policy names the version on
// record before it (record), other withdrawals the version in force.
func (c *checker) receipts(i int, e *sim.Entry, record *Policy) {
	ev := &e.Event
	answer := false
	switch ev.Type {
	case "policy_answer", "rationale_answer", "permission_result", "withdraw", "consent_answer":
		answer = true
	}
	// Every answer gets its receipt, also one given to a screen shown
	// before a policy update was loaded (CONTRACT.md: it is recorded with
	// the text the user saw, then the update is shown).
	if answer && len(e.Response.Receipts) == 0 {
		c.fault(i, Contract, "the %s got no consent receipt", ev.Type)
	}
	for _, raw := range e.Response.Receipts {
		hash, prev, seq, err := receiptHashes(raw)
		if err != nil {
			c.fault(i, Contract, "receipt: %v", err)
			continue
		}
		switch {
		case c.lastReceipt == anyReceipt:
		case prev == "" && seq != 1:
			c.fault(i, Contract, "receipt %s starts a chain numbered %d, not 1", hash[:12], seq)
		case prev != "" && prev != c.lastReceipt:
			c.fault(i, Contract, "receipt %s does not chain to the one before", hash[:12])
		case prev != "" && seq != c.lastSeq+1:
			c.fault(i, Contract, "receipt %s is numbered %d after %d", hash[:12], seq, c.lastSeq)
		}
		var r struct {
			Kind, Version, Text, Permission, Sensitive, Purpose, Answer, Time string
			TimeBehind                                                        bool `json:"time_behind"`
		}
		json.Unmarshal(raw, &r)
		// A receipt dated before the one before it (the device clock went
		// back) is chained all the same, and says so: time_behind exactly
		// then (CONTRACT.md), judged from the times the receipts carry.
		t, terr := time.Parse(time.RFC3339Nano, r.Time)
		switch behind := !c.lastTime.IsZero() && t.Before(c.lastTime); {
		case terr != nil:
			c.fault(i, Contract, "receipt %s has no RFC 3339 time: %q", hash[:12], r.Time)
		case c.lastReceipt == anyReceipt:
		case behind && !r.TimeBehind:
			c.fault(i, Contract, "receipt %s is dated %s, before the one before it (%s), and does not say time_behind", hash[:12], r.Time, c.lastTime.Format(time.RFC3339Nano))
		case !behind && r.TimeBehind:
			c.fault(i, Contract, "receipt %s says time_behind, but it is not dated before the one before it", hash[:12])
		}
		c.lastReceipt, c.lastSeq, c.lastTime = hash, seq, t
		c.receiptText(i, ev, r.Kind, r.Version, r.Text, r.Permission, sim.Consent(r.Sensitive, r.Purpose), record)
		if r.Sensitive == "" && r.Purpose == "" {
			continue
		}
		k := sim.Consent(r.Sensitive, r.Purpose)
		var ok bool
		switch r.Kind {
		case "consent":
			ok = ev.Type == "consent_answer" && sim.Consent(ev.Sensitive, ev.Purpose) == k
		case "rationale", "permission":
			// The consent was asked on the permission's rationale, or (iOS)
			// on its own screen that came with the permission: the consent
			// the step's permission rests on, on record, given in this
			// visit or an earlier one.
			sp := c.p.stepPermission(e.Step, ev.Permission)
			ok = (ev.Type == "rationale_answer" || ev.Type == "permission_result") && ev.Permission == r.Permission &&
				(c.asking[ev.Permission] == k || c.consentWith[ev.Permission][k] && c.given[k] && sp != nil && sp.Separate() && key(sp) == k)
		case "withdraw":
			ok = ev.Type == "withdraw"
		}
		if !ok {
			c.fault(i, Separate, "a %s receipt records %s %s, but the user answered no screen asking it (the event was %s)", r.Kind, k, r.Answer, describe(ev))
		}
	}
}

// receiptText judges the version and text hash a receipt names (k is its
// consent, "/" for none).
func (c *checker) receiptText(i int, ev *sim.Event, kind, version, text, perm, k string, record *Policy) {
	var screen shown
	switch kind {
	case "policy":
		screen = c.popup
	case "rationale", "permission":
		screen = c.screens["perm:"+perm]
	case "consent":
		screen = c.screens["consent:"+k]
	case "withdraw":
		want := c.p
		if perm == "" && k == "/" && record != nil {
			want = record
		}
		if version != want.Version() {
			c.fault(i, Reconsent, "the withdrawal receipt (%s) names version %s, not %s", describe(ev), version, want.Version())
		}
		return
	}
	if screen.p == nil {
		return // a screen this run did not show (a prior record's)
	}
	if version != screen.p.Version() {
		c.fault(i, Reconsent, "the %s receipt of %s names version %s, but the screen the user answered showed the texts of %s", kind, describe(ev), version, screen.p.Version())
	}
	if text != screen.text {
		c.fault(i, Contract, "the %s receipt of %s hashes other texts (%.12s) than the screen the user answered showed (%.12s)", kind, describe(ev), text, screen.text)
	}
}

func describe(ev *sim.Event) string {
	s := ev.Type
	if ev.Permission != "" {
		s += " " + ev.Permission
	}
	if ev.Sensitive != "" || ev.Purpose != "" {
		s += " " + sim.Consent(ev.Sensitive, ev.Purpose)
	}
	return s
}

// anyReceipt stands for a receipt the checks did not see (one of a prior
// record's), to which the next one may chain.
const anyReceipt = "(a receipt of the prior record)"

func inScenario(scenarios []string, step string) bool {
	for _, s := range scenarios {
		if s == step || (len(step) > len(s) && step[:len(s)] == s && step[len(s)] == '/') {
			return true
		}
	}
	return false
}

func stepName(s string) string {
	if s == "" {
		return "no step"
	}
	return s
}

func orNot(s string) string {
	if s == "" {
		return "not_determined"
	}
	return s
}
