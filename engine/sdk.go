package engine

import "github.com/jitconsent/jitconsent/engine/vocab"

// Which third-party SDKs may run (PRECONSENT, RECONSENT, WITHDRAW of
// docs/RULES.md): none without consent to the policy, an SDK added by a
// version not yet accepted waits for it, and an SDK gated by a scenario or
// a permission runs only there or with it.

// consented reports whether consent to the policy is on record and no
// major update waits: the condition for any SDK to run.
func (d *decision) consented() bool {
	return d.st.accepted >= 0 && !d.st.basic && d.popupDue() != popMajor
}

// sdks returns the SDKs that may run now, a bit per SDK of the policy.
func (d *decision) sdks() uint64 {
	if !d.consented() {
		return 0
	}
	var runs uint64
	for i := range d.e.sdks {
		if d.sdkRuns(i) {
			runs |= 1 << i
		}
	}
	return runs
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
	case vocab.StartInScenario:
		for _, r := range s.steps {
			if r.sc == st.at.sc && (r.st < 0 || r.st == st.at.st) {
				return true
			}
		}
		return false
	case vocab.StartWithPermission:
		for p := range vocab.NumPermissions {
			if s.requires&(1<<p) == 0 {
				continue
			}
			os := d.os(p)
			if (os != vocab.OSGranted && os != vocab.OSLimited) || st.perms[p].withdrawn {
				return false
			}
		}
	}
	return true
}
