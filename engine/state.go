package engine

import "github.com/jitconsent/jitconsent/engine/vocab"

// StateVersion is the layout version of the state, its "v" field. A state
// with another version is treated as a fresh install.
const StateVersion = 1

// state is what the engine remembers between calls, carried by the host.
// Its JSON form (statecodec.go) is canonical: the integrity hash covers
// the values, so a host that parses and re-serialises the object keeps it
// valid, and one that edits it loses it.
type state struct {
	accepted int     // index into history of the accepted version, -1 if none
	seen     int     // index of the newest version whose popup was shown, -1 if none
	basic    bool    // the user declined or withdrew: basic browsing only
	pending  popup   // the popup waiting for an answer
	resume   stepRef // the step to go on with once the policy is accepted; sc < 0 if none
	at       stepRef // the step the user is in, for SDKs that run in a scenario
	flow     flow
	perms    [vocab.NumPermissions]permState
	last     [32]byte // hash of the newest receipt, the next one's "prev"
	hasLast  bool
}

// flow is a step in progress.
type flow struct {
	step    stepRef // sc < 0 if none
	i       int     // the step permission being asked
	wait    wait
	missing uint16 // bit per step permission refused or unavailable
}

type permState struct {
	denials   int   // system dialogs denied (Android 11+ stops after two)
	refused   int64 // Unix seconds of the last refusal, 0 if none
	withdrawn bool  // withdrawn in the app; never restored silently
	separate  uint8 // bit per sensitive category with separate consent
}

func freshState() state {
	return state{accepted: -1, seen: -1, resume: noStep, at: noStep, flow: flow{step: noStep}}
}

// popup is the policy popup a state waits on an answer for: none, or the
// popup of a change (vocab.Change) one above it.
type popup uint8

const (
	popNone  popup = 0
	popFirst       = popup(1 + vocab.ChangeFirst)
	popMajor       = popup(1 + vocab.ChangeMajor)
	popMinor       = popup(1 + vocab.ChangeMinor)
)

// String is the popup's change, as show_policy and the state write it.
func (p popup) String() string {
	if p == popNone {
		return ""
	}
	return vocab.Change(p - 1).String()
}

func parsePopup(s []byte) (popup, bool) {
	c, ok := vocab.ParseChange(string(s))
	return popup(1 + c), ok
}

// wait is what a step in progress waits for.
type wait uint8

const (
	waitNone wait = iota
	waitRationale
	waitRequest
	waitSettings
	numWaits
)

var waitNames = [numWaits]string{waitRationale: "rationale", waitRequest: "request", waitSettings: "settings"}

func (w wait) String() string { return waitNames[w] }

func parseWait(s []byte) (wait, bool) {
	for w := waitRationale; w < numWaits; w++ {
		if waitNames[w] == string(s) {
			return w, true
		}
	}
	return waitNone, false
}

// useState returns the state to decide on: the request's, unless it
// cannot be trusted (STATE: it is then a fresh install, traced, never an
// error), with a step in progress that the policy no longer has dropped.
func (d *decision) useState() state {
	st := freshState()
	if !d.r.hasState {
		return st
	}
	e := d.e
	why := d.r.stateWhy
	if why == "" && !d.r.cached && !e.verifyState(&d.r.state, d.r.stateHash) {
		why = "state integrity hash does not match: the state was changed outside the engine"
	}
	if why != "" {
		d.note(vocab.RuleState, why, ": the engine starts as on a fresh install")
	} else {
		st = d.r.state
	}
	if f := &st.flow; f.step.sc >= 0 && f.i >= len(e.scens[f.step.sc].steps[f.step.st].perms) {
		st.flow = flow{step: noStep}
		d.note(vocab.RuleState, "the step in progress no longer matches the policy: it is dropped")
	}
	return st
}
