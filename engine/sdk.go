package engine

import (
	"math/bits"

	"github.com/jitconsent/jitconsent/engine/vocab"
)

// Which third-party SDKs may run (PRECONSENT, RECONSENT, WITHDRAW and SDK
// of docs/RULES.md): none without consent to the policy, an SDK added by a
// version not yet accepted waits for it, and an SDK runs only within its
// basis as the policy states it: in its scenarios (none named: anywhere),
// with every permission it needs, and with every separate consent its
// data needs. Data an SDK collects only when available is no condition
// for running; sdkData says which of it may be collected now.

// consented reports whether consent to the policy is on record and no
// major update waits: the condition for any SDK to run.
func (d *decision) consented() bool {
	return d.st.accepted >= 0 && !d.st.basic && d.popupDue(false) != popMajor
}

// sdks returns the SDKs that may run now, a bit per SDK of the policy,
// and the permissions available to them (see available). It checks each
// SDK's basis as sdkBasis does, in the same order, but with what does not
// depend on the SDK worked out once (the SDKs a version not yet accepted
// adds), and without a call per SDK: in wasm the calls were most of the
// cost of a decision's SDK list. TestSDKsAgreeWithBasis holds the two
// together.
func (d *decision) sdks() (runs uint64, avail uint16) {
	if !d.consented() {
		return 0, 0
	}
	avail = d.availableOf(d.e.sdkPerms)
	st := &d.st
	var waiting uint64 // added by a version not yet accepted
	for v := st.accepted + 1; v < len(d.e.history); v++ {
		for _, c := range d.e.history[v].changes {
			if c.sdk >= 0 {
				waiting |= 1 << c.sdk
			}
		}
	}
	platform := uint8(1) << d.r.dev.platform
	for i := range d.e.sdks {
		s := &d.e.sdks[i]
		if s.platforms&platform == 0 || waiting&(1<<i) != 0 || s.requires&^avail != 0 || s.consents&^st.consents.given != 0 {
			continue
		}
		if len(s.steps) > 0 && !inSteps(s.steps, st.at) {
			continue
		}
		runs |= 1 << i
	}
	return runs, avail
}

// inSteps reports whether the user is in one of the steps (a whole
// scenario, for a step below 0).
func inSteps(steps []stepRef, at stepRef) bool {
	for _, r := range steps {
		if r.sc == at.sc && (r.st < 0 || r.st == at.st) {
			return true
		}
	}
	return false
}

// availableOf returns which of the permissions in mask are available now
// (see available), a bit each.
func (d *decision) availableOf(mask uint16) uint16 {
	var avail uint16
	for m := mask; m != 0; m &= m - 1 {
		p := vocab.Permission(bits.TrailingZeros16(m))
		if d.available(p) {
			avail |= 1 << p
		}
	}
	return avail
}

// basis says which condition of an SDK's basis does not hold.
type basis uint8

const (
	basisHolds      basis = iota
	basisPlatform         // not embedded on this platform
	basisVersion          // added by a version not yet accepted
	basisScenario         // outside the scenarios it is named for
	basisPermission       // a permission it needs is not available
	basisConsent          // a separate consent it needs is not given
)

// sdkBasis returns which condition keeps the i-th SDK from running now,
// given consent to the policy and the permissions available (a bit each),
// with the permission or consent concerned.
func (d *decision) sdkBasis(i int, avail uint16) (basis, int) {
	st := &d.st
	s := &d.e.sdks[i]
	if s.platforms&(1<<d.r.dev.platform) == 0 {
		return basisPlatform, 0
	}
	// An SDK added by a version the user has not accepted waits for it.
	for v := st.accepted + 1; v < len(d.e.history); v++ {
		for _, c := range d.e.history[v].changes {
			if c.sdk == i {
				return basisVersion, 0
			}
		}
	}
	if len(s.steps) > 0 {
		in := false
		for _, r := range s.steps {
			in = in || (r.sc == st.at.sc && (r.st < 0 || r.st == st.at.st))
		}
		if !in {
			return basisScenario, 0
		}
	}
	if missing := s.requires &^ avail; missing != 0 {
		return basisPermission, bits.TrailingZeros16(missing)
	}
	if missing := s.consents &^ st.consents.given; missing != 0 {
		for c := range d.e.consents {
			if missing&(1<<c) != 0 {
				return basisConsent, c
			}
		}
	}
	return basisHolds, 0
}

// available reports whether the app may use a permission now: the OS
// grants it (fully or with limits) and it was not withdrawn in the app. A
// permission the user does not grant at this version (notifications
// before Android 13 do not exist; Bluetooth before Android 12 is granted
// at install) is available unless the OS reports it off.
func (d *decision) available(p vocab.Permission) bool {
	if d.st.perms[p].withdrawn {
		return false
	}
	switch d.os(p) {
	case vocab.OSGranted, vocab.OSLimited:
		return true
	case vocab.OSNotDetermined:
		return !d.e.userGrants(p, &d.r.dev)
	}
	return false
}

// optionalAllowed reports whether an SDK may collect an optional datum
// now, given the permissions available (a bit each).
func (d *decision) optionalAllowed(o *optionalModel, avail uint16) bool {
	if o.perm != noPerm && avail&(1<<o.perm) == 0 {
		return false
	}
	return o.consent < 0 || d.st.consents.has(o.consent)
}

// noteStopped traces the SDKs that ran before the event and no longer do
// while consent to the policy stands, each with the condition that ended.
func (d *decision) noteStopped(before uint64) {
	if before == 0 || !d.consented() {
		return
	}
	stopped := before &^ d.runs
	for i := range d.e.sdks {
		if stopped&(1<<i) == 0 {
			continue
		}
		id := d.e.sdks[i].id
		switch why, of := d.sdkBasis(i, d.avail); why {
		case basisScenario:
			d.note(vocab.RuleSDK, id, " stops: the user left the scenarios it is named for")
		case basisPermission:
			d.note(vocab.RuleSDK, id, " stops: it needs ", vocab.Permission(of).String(), ", which is not granted or was withdrawn")
		case basisConsent:
			d.note(vocab.RuleSDK, id, " stops: it needs separate consent to ", d.e.consents[of].id)
		}
	}
}
