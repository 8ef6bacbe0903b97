package engine

import (
	"bytes"

	"github.com/jitconsent/jitconsent/engine/vocab"
)

// StateVersion is the layout version of the state, its "v" field. A
// state of version 1 is read and upgraded (statecodec.go); one of any
// other version is treated as a fresh install.
const StateVersion = 2

// state is what the engine remembers between calls, carried by the host.
// Its JSON form (statecodec.go) is canonical: the integrity hash covers
// the values, so a host that parses and re-serialises the object keeps it
// valid, and one that edits it loses it.
type state struct {
	accepted int   // index into history of the accepted version, -1 if none
	seen     int   // index of the newest version whose popup was shown, -1 if none
	basic    bool  // the user declined or withdrew: basic browsing only
	pending  popup // the popup waiting for an answer
	// popupText is the SHA-256 of the popup waiting as it was shown (its
	// version is seen), so that its answer is recorded with the text the
	// user saw even when a newer bundle is active by then; zero if not
	// recorded (a state from before it was).
	popupText [32]byte
	resume    stepRef // the step to go on with once the policy is accepted; sc < 0 if none
	at        stepRef // the step the user is in, for SDKs that run in a scenario
	flow      flow
	perms     [vocab.NumPermissions]permState
	// popupLocale is 1 + the index into Engine.locales of the locale
	// the popup waiting was shown in; 0 if not recorded (a state from
	// before it was: the request's locale is taken).
	popupLocale int
	// consents are the separate consents, by index into Engine.consents:
	// given, and when each was last declined.
	consents consentSet
	head     head // the newest receipt: the next one follows it
}

// head is the newest receipt of the installation's chain, as the state
// keeps it: the next receipt takes the number after seq and points to
// hash with its "prev", and is flagged when its time is earlier.
type head struct {
	seq   int64 // 0 for a chain from before receipts had numbers (the state's "last")
	hash  [32]byte
	has   bool
	time  [maxTimeLen]byte // the newest receipt's time, as written; nTime bytes
	nTime uint8
}

// flow is a step in progress.
type flow struct {
	step    stepRef // sc < 0 if none
	i       int     // the step permission being asked
	wait    wait
	missing uint16 // bit per step permission refused or unavailable
	// The screen shown for the ask waiting (a rationale or a consent
	// screen; the rationale also while its dialog or the settings wait):
	// 1 + the index into history of the version whose texts it showed, and
	// their SHA-256. Its answer's receipt names them, also when a newer
	// bundle is active by then. shownV is 0 when not recorded (a state
	// from before it was): the active version's texts are hashed then.
	shownV int
	shown  [32]byte
	// shownL is 1 + the index into Engine.locales of the locale the
	// screen was shown in; 0 if not recorded (a state from before it
	// was: the request's locale is taken).
	shownL int
}

// maxDenials bounds the denials a state counts.
const maxDenials = 100

type permState struct {
	denials   int   // denials on record, in a dialog or the settings (Android 11+ shows no dialog after two)
	refused   int64 // Unix seconds of the last refusal, 0 if none
	withdrawn bool  // withdrawn in the app; never restored silently
}

// consentSet is what the state records of the separate consents: a bit
// per consent given, and per consent the time it was last declined (for
// the cooldown of an optional one).
type consentSet struct {
	given   uint32
	refused [32]int64 // Unix seconds, 0 if none
}

func (c *consentSet) has(i int) bool { return c.given&(1<<i) != 0 }

func (c *consentSet) give(i int) { c.given |= 1 << i; c.refused[i] = 0 }

func (c *consentSet) decline(i int, now int64) { c.given &^= 1 << i; c.refused[i] = now }

func (c *consentSet) withdraw(i int) { c.given &^= 1 << i }

func freshState() state {
	return state{accepted: -1, seen: -1, resume: noStep, at: noStep, flow: flow{step: noStep}}
}

// popup is the policy popup a state waits on an answer for: none, or the
// popup of a change (vocab.Change) one above it.
type popup uint8

const (
	popNone   popup = 0
	popFirst        = popup(1 + vocab.ChangeFirst)
	popMajor        = popup(1 + vocab.ChangeMajor)
	popMinor        = popup(1 + vocab.ChangeMinor)
	numPopups       = 3 // first, major, minor
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
	waitConsent
	numWaits
)

var waitNames = [numWaits]string{waitRationale: "rationale", waitRequest: "request", waitSettings: "settings", waitConsent: "consent"}

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
		d.dropped = true
		d.pastCheckpoint(&st, false)
		return st
	}
	e := d.e
	x := &d.r.stateX
	why := d.r.stateWhy
	if why == "" && !d.r.cached && !e.verifyState(&d.r.state, x, d.r.stateHash, &d.r.key) {
		why = "state integrity hash does not match: the state was changed outside the engine"
		if d.r.key.on {
			why = "state integrity hash does not match the state_key: the state was made or changed outside the app"
		}
	}
	if why != "" {
		d.note(vocab.RuleState, why, ": the engine starts as on a fresh install")
		d.dropped = true
		d.pastCheckpoint(&st, false)
		return st
	}
	st = d.r.state
	if !d.r.cached {
		for i := range min(x.nUnknown, len(x.names)) {
			d.note(vocab.RuleState, "the state records separate consent to ", string(x.names[i]), ", which this policy does not ask: it is read without it")
		}
		if x.v1 {
			d.upgradeV1(&st, x)
		}
	}
	d.clampTimes(&st)
	d.pastCheckpoint(&st, true)
	if f := &st.flow; f.step.sc >= 0 && f.i >= len(e.scens[f.step.sc].steps[f.step.st].asks) {
		st.flow = flow{step: noStep}
		d.note(vocab.RuleState, "the step in progress no longer matches the policy: it is dropped")
	}
	return st
}

// cachedState is a state of a StateCache: its JSON, as read, and the
// state_key it was verified under.
type cachedState struct {
	raw []byte
	st  state
	key stateKey
}

// holding returns the cache's state that data starts with, if any: the
// one the engine wrote last, or the one it read last.
func (c *StateCache) holding(data []byte) *cachedState {
	if c == nil {
		return nil
	}
	for _, s := range [...]*cachedState{&c.wrote, &c.read} {
		if len(s.raw) > 0 && bytes.HasPrefix(data, s.raw) {
			return s
		}
	}
	return nil
}

// keepRead keeps the request's state in the cache if the engine read it
// from the request and uses it as it was: verified, with nothing to
// upgrade and no consent dropped, which is what a cached state skips.
// Hosts send back the state they were given, which the cache holds
// already; a host that sends one state more than once (a decision
// repeated, or one whose answer it did not keep) then skips reading and
// verifying it, about a quarter of a decision in wasm.
func (c *StateCache) keepRead(d *decision, request []byte) {
	r := &d.r
	if d.dropped || r.cached || r.stateEnd <= r.stateAt || r.stateX.nUnknown > 0 || r.stateX.v1 {
		return
	}
	c.read.raw = append(c.read.raw[:0], request[r.stateAt:r.stateEnd]...)
	c.read.st, c.read.key = r.state, r.key
}
