// Package check finds compliance faults in a simulator transcript: the
// rules of docs/RULES.md, computed from what the app showed, what the user
// answered and what the device model says, never from the engine's own
// trace. Each fault names its rule, the request and why.
package check

import (
	"fmt"
	"slices"
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
	Contract   = "CONTRACT"
)

// Rules returns every rule the checks know, in docs/RULES.md's order.
func Rules() []string { return slices.Clone(rules[:]) }

var rules = [...]string{Preconsent, BasicMode, Reconsent, JIT, Rationale, Platform, Settings, Cooldown, Degrade, Separate, Withdraw, Contract}

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

// Policy is what the checks need of a policy: its steps, SDKs and
// cooldown, read from the bundle the engine runs.
type Policy struct {
	steps    map[string][]bundle.StepPermission // "scenario/step"
	sdks     map[string]bundle.SDK
	cooldown time.Duration
}

// NewPolicy reads a bundle.
func NewPolicy(b *bundle.Bundle) *Policy {
	p := &Policy{steps: map[string][]bundle.StepPermission{}, sdks: map[string]bundle.SDK{},
		cooldown: time.Duration(b.Policy.CooldownSeconds) * time.Second}
	for _, sc := range b.Scenarios {
		for _, st := range sc.Steps {
			p.steps[sc.ID+"/"+st.ID] = st.Permissions
		}
	}
	for _, s := range b.SDKs {
		p.sdks[s.ID] = s
	}
	return p
}

func (p *Policy) stepPermission(step, perm string) *bundle.StepPermission {
	for i, sp := range p.steps[step] {
		if sp.ID == perm {
			return &p.steps[step][i]
		}
	}
	return nil
}

// checker walks a transcript keeping what it has seen.
type checker struct {
	p      *Policy
	t      *sim.Transcript
	faults []Fault

	consent     bool                 // the policy accepted and not declined or withdrawn since
	declined    bool                 // the latest policy answer was a decline (basic mode)
	withdrawn   map[string]bool      // permissions withdrawn and not granted again since
	refused     map[string]time.Time // optional permissions refused, when
	accepted    map[string]bool      // rationales accepted in this visit of a step
	refusedHere map[string]bool      // permissions refused in this visit of a step
	lastReceipt string
}

// Check returns every fault of a transcript.
func Check(p *Policy, t *sim.Transcript) []Fault {
	c := &checker{p: p, t: t}
	c.install()
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
	c.refused = map[string]time.Time{}
	c.lastReceipt = ""
	c.newVisit()
}

func (c *checker) newVisit() {
	c.accepted = map[string]bool{}
	c.refusedHere = map[string]bool{}
}

func (c *checker) entry(i int, e *sim.Entry) {
	r := &e.Response
	if r.Error != nil {
		c.fault(i, Contract, "a well-formed %s got the error %s: %s", e.Event.Type, r.Error.Code, r.Error.Message)
		return
	}
	ev := &e.Event
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
		if ev.Accepted != nil && *ev.Accepted {
			c.consent, c.declined = true, false
		} else {
			c.consent, c.declined = false, true
		}
	case "withdraw":
		if ev.Permission == "policy" {
			c.consent = false
			for _, sps := range c.p.steps {
				for _, sp := range sps {
					c.withdrawn[sp.ID] = true
				}
			}
		} else {
			c.withdrawn[ev.Permission] = true
		}
	case "rationale_answer":
		if ev.Accepted != nil && *ev.Accepted {
			c.accepted[ev.Permission] = true
		} else {
			c.refusal(e, ev.Permission, optional(ev.Permission))
		}
	case "permission_result":
		switch ev.Result {
		case "granted", "limited":
			// A grant ends the refusal: the cooldown no longer applies.
			delete(c.refusedHere, ev.Permission)
			delete(c.refused, ev.Permission)
		default:
			c.refusal(e, ev.Permission, optional(ev.Permission))
		}
	}
	c.receipts(i, e)
	c.actions(i, e, optional)
	c.sdks(i, e)
}

func (c *checker) refusal(e *sim.Entry, perm string, optional bool) {
	c.refusedHere[perm] = true
	if optional {
		c.refused[perm] = e.Time
	}
}

func (c *checker) actions(i int, e *sim.Entry, optional func(string) bool) {
	ev := &e.Event
	dev := device.NewAt(device.Profile{Name: c.t.Profile.Name, Platform: c.t.Profile.Platform, Version: e.Version}, e.Time)
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
		case "basic_mode":
		case "show_rationale", "request_permission", "open_settings":
			perm := a.Permission
			if !c.consent {
				c.fault(i, Preconsent, "%s %s before the policy is accepted", a.Type, perm)
			}
			if ev.Type == "launch" {
				c.fault(i, JIT, "%s %s at launch: launch asks for no permission", a.Type, perm)
			} else if sp := c.p.stepPermission(e.Step, perm); sp == nil {
				c.fault(i, JIT, "%s %s in %s, which does not declare it", a.Type, perm, stepName(e.Step))
			} else if !sp.AppliesTo(c.t.Profile.Platform, e.Version) {
				c.fault(i, JIT, "%s %s in %s on %s %s, where the policy does not ask for it", a.Type, perm, stepName(e.Step), c.t.Profile.Platform, e.Version)
			}
			if !dev.Has(perm) {
				c.fault(i, Platform, "%s %s, which %s %s does not have", a.Type, perm, c.t.Profile.Platform, e.Version)
			}
			if a.Type == "open_settings" {
				break
			}
			if t, ok := c.refused[perm]; ok && optional(perm) && e.Time.Sub(t) < c.p.cooldown {
				c.fault(i, Cooldown, "%s %s %s after the user refused it, within the cooldown of %s", a.Type, perm, e.Time.Sub(t), c.p.cooldown)
			}
			if a.Type == "show_rationale" {
				if sp := c.p.stepPermission(e.Step, perm); sp != nil && sp.SeparateConsent && !a.SeparateConsent {
					c.fault(i, Separate, "the rationale for %s (%s) in %s does not ask for separate consent", perm, sp.Sensitive, stepName(e.Step))
				}
				break
			}
			requests++
			if !(ev.Type == "rationale_answer" && ev.Permission == perm && ev.Accepted != nil && *ev.Accepted) {
				c.fault(i, Rationale, "the system dialog for %s is requested without a rationale the user just accepted", perm)
			}
			if e.Dialog != nil && e.Dialog.Permission == perm && !e.Dialog.Shown && (e.Dialog.Privacy == nil || e.Dialog.Privacy.Result == "granted") {
				c.fault(i, Settings, "%s is requested although the OS shows no dialog any more: the user should be guided to the settings", perm)
			}
		case "block":
			if optional(a.Permission) {
				c.fault(i, Degrade, "%s blocks %s although refusing it is %s", a.Permission, stepName(e.Step), c.p.stepPermission(e.Step, a.Permission).Consequence)
			}
		case "proceed":
			for perm := range c.refusedHere {
				if sp := c.p.stepPermission(e.Step, perm); sp != nil && sp.Consequence == vocab.Blocking.String() {
					c.fault(i, Degrade, "%s goes on although its blocking permission %s was refused", stepName(e.Step), perm)
				}
			}
			for perm := range c.withdrawn {
				sp := c.p.stepPermission(e.Step, perm)
				if sp == nil || !sp.AppliesTo(c.t.Profile.Platform, e.Version) || c.accepted[perm] || slices.Contains(a.Missing, perm) || !dev.Has(perm) {
					continue
				}
				if st := e.OS[perm]; st == "granted" || st == "limited" {
					c.fault(i, Withdraw, "%s goes on with %s, withdrawn and not granted again through a rationale", stepName(e.Step), perm)
				}
			}
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

func (c *checker) sdks(i int, e *sim.Entry) {
	for _, id := range e.Response.SDKs {
		if !c.consent {
			c.fault(i, Preconsent, "SDK %s runs before the policy is accepted or after it is withdrawn", id)
			continue
		}
		s, ok := c.p.sdks[id]
		if !ok {
			c.fault(i, Contract, "SDK %s is not in the policy", id)
			continue
		}
		for _, perm := range s.Requires {
			if c.withdrawn[perm] {
				c.fault(i, Withdraw, "SDK %s runs although %s was withdrawn", id, perm)
			} else if st := e.OS[perm]; st != "granted" && st != "limited" {
				c.fault(i, Withdraw, "SDK %s runs although %s is %s", id, perm, orNot(st))
			}
		}
		if s.Start == vocab.StartInScenario.String() && !inScenario(s.Scenarios, e.Step) {
			c.fault(i, JIT, "SDK %s runs in %s, outside its scenarios %v", id, stepName(e.Step), s.Scenarios)
		}
	}
}

// receipts checks that every answer gets one receipt and that they chain.
func (c *checker) receipts(i int, e *sim.Entry) {
	answer := false
	switch e.Event.Type {
	case "policy_answer", "rationale_answer", "permission_result", "withdraw":
		answer = true
	}
	if answer && len(e.Response.Receipts) == 0 && !setAside(e) {
		c.fault(i, Contract, "the %s got no consent receipt", e.Event.Type)
	}
	for _, raw := range e.Response.Receipts {
		hash, prev, err := receiptHashes(raw)
		if err != nil {
			c.fault(i, Contract, "receipt: %v", err)
			continue
		}
		if prev != "" && prev != c.lastReceipt {
			c.fault(i, Contract, "receipt %s does not chain to the one before", hash[:12])
		}
		c.lastReceipt = hash
	}
}

// setAside tells an answer the engine set aside to show a policy update
// first (it has no receipt: CONTRACT.md).
func setAside(e *sim.Entry) bool {
	a := e.Response.Actions
	return len(a) > 0 && a[0].Type == "show_policy" && e.Event.Type != "policy_answer"
}

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
