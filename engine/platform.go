package engine

import (
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/engine/vocab"
)

// The engine's own knowledge of the platforms (rules PLATFORM and SETTINGS
// of docs/RULES.md). The bundle says where a policy asks for a permission;
// these facts say where the OS can ask at all and when it still shows a
// dialog, and they hold whatever a bundle says.

// bound is a parsed dotted version. A bound compares only as many
// components as it has, so that "16" stands for every 16.x (see
// bundle.InRange). n == 0 means no bound.
type bound struct {
	v [4]int32
	n int8
}

func parseBounds(min, max string) (lo, hi bound, err error) {
	if lo, err = parseBound(min); err != nil {
		return
	}
	hi, err = parseBound(max)
	return
}

func parseBound(s string) (bound, error) {
	var b bound
	if s == "" {
		return b, nil
	}
	parts, err := bundle.ParseVersion(s)
	if err != nil || len(parts) > len(b.v) {
		return b, bundle.ErrBadVersion
	}
	for i, p := range parts {
		b.v[i] = int32(p)
	}
	b.n = int8(len(parts))
	return b, nil
}

// parseVersion reads a device version without allocating: dotted decimal
// numbers, at most four of at most six digits each.
func parseVersion(s []byte) (bound, bool) {
	var b bound
	if len(s) == 0 {
		return b, false
	}
	digits := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			if digits == 6 {
				return b, false
			}
			if digits == 0 {
				if b.n == int8(len(b.v)) {
					return b, false
				}
				b.n++
			}
			b.v[b.n-1] = b.v[b.n-1]*10 + int32(c-'0')
			digits++
		case c == '.' && digits > 0:
			digits = 0
		default:
			return b, false
		}
	}
	return b, digits > 0
}

// cmp compares version v with a bound over the bound's components.
func (v bound) cmp(b bound) int {
	for i := 0; i < int(b.n); i++ {
		switch {
		case v.v[i] < b.v[i]:
			return -1
		case v.v[i] > b.v[i]:
			return 1
		}
	}
	return 0
}

// within reports whether v lies in [min, max]; a device without a version
// (the web) lies only in unbounded ranges.
func (v bound) within(min, max bound) bool {
	if v.n == 0 {
		return min.n == 0 && max.n == 0
	}
	return (min.n == 0 || v.cmp(min) >= 0) && (max.n == 0 || v.cmp(max) <= 0)
}

// device is the platform and version a request is for.
type device struct {
	platform vocab.Platform
	ver      bound // empty on the web
}

func (d *device) major() int32 { return d.ver.v[0] }

// installTime reports whether the platform grants every permission at
// install, so that nothing is asked: Android API 22 and below.
func (d *device) installTime() bool { return d.platform == vocab.Android && d.major() <= 22 }

// platformLacks names why a platform does not have a permission whatever
// a bundle declares, or returns "". (On Android API 22 and below the
// permissions exist and are granted at install: see decision.os.)
func (d *device) platformLacks(perm vocab.Permission) string {
	switch {
	case d.platform == vocab.IOS && perm == vocab.CallLog:
		return "iOS has no call log permission"
	case d.platform == vocab.IOS && perm == vocab.PhoneState:
		return "iOS has no phone state permission"
	case perm == vocab.FaceID && d.platform != vocab.IOS:
		return "Face ID exists only on iOS"
	case perm == vocab.AdTracking && d.platform != vocab.IOS:
		return "ad tracking (ATT) exists only on iOS"
	case perm == vocab.AdTracking && d.major() < 14:
		return "ad tracking (ATT) exists from iOS 14"
	case perm == vocab.Notifications && d.platform == vocab.Android && d.major() < 33:
		return "Android below API 33 has no runtime notification permission"
	}
	return ""
}

// dialogGone tells why the OS will not show its dialog for a permission in
// an OS state, given the denials the engine has seen; "" if it will.
func (d *device) dialogGone(os vocab.OSState, denials int) string {
	switch os {
	case vocab.OSDeniedForever:
		return "the user chose not to be asked again"
	case vocab.OSRestricted:
		return "the permission is restricted on this device"
	case vocab.OSDenied:
	default:
		return ""
	}
	switch d.platform {
	case vocab.Android:
		if d.installTime() {
			return "Android 5.1 and below show no permission dialog; only the settings change it"
		}
		if d.major() >= 30 && denials >= 2 {
			return "Android 11 and later show no dialog after two denials"
		}
		return ""
	case vocab.IOS:
		return "iOS shows its dialog once"
	case vocab.HarmonyOS:
		return "HarmonyOS shows its dialog once"
	case vocab.WeChat, vocab.Alipay:
		return "a mini-program shows its scope dialog once"
	default:
		return "the browser remembers the denial"
	}
}

// onePrePermissionButton reports whether the platform's pre-permission
// screens may offer only a way on to the system dialog: App Review
// (guideline 5.1.1(iv)) rejects an iOS screen that lets the user decline
// before it. The user refuses in the system dialog; a separate consent,
// an explicit choice under PIPL, is asked on a consent screen first.
func (d *device) onePrePermissionButton() bool { return d.platform == vocab.IOS }

// row returns the policy's declaration of a permission for an access
// level on the device, or nil where it has none.
func (e *Engine) row(perm vocab.Permission, access vocab.Access, d *device) *declModel {
	for i := range e.perms[perm].declare {
		dm := &e.perms[perm].declare[i]
		if dm.platform == d.platform && dm.access == access && d.ver.within(dm.min, dm.max) {
			return dm
		}
	}
	return nil
}

// userGrants reports whether the user grants a permission on the device,
// in a dialog or in the settings, at some access level; where not, the
// platform lacks it or grants it without asking.
func (e *Engine) userGrants(perm vocab.Permission, d *device) bool {
	for i := range e.perms[perm].declare {
		dm := &e.perms[perm].declare[i]
		if dm.platform == d.platform && d.ver.within(dm.min, dm.max) && (dm.grant == vocab.GrantRuntime || dm.grant == vocab.GrantSpecial) {
			return true
		}
	}
	return false
}

// applies reports whether a step asks for its permission on the device,
// by the step's own constraints.
func (sp *stepPermModel) applies(d *device) bool {
	for _, c := range sp.platforms {
		if c.platform == d.platform && d.ver.within(c.min, c.max) {
			return true
		}
	}
	return false
}

// inRange reports whether the device's version is within inclusive bounds.
func (d *device) inRange(min, max bound) bool { return d.ver.within(min, max) }
