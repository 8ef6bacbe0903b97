// Package device models phones' operating systems for the simulator:
// what the OS reports for each permission, whether a request shows a
// dialog, what each answer turns into, and how the state changes with
// time, settings, upgrades and reinstalls. The models follow the
// platforms' documentation, not the engine: they are the OS the engine is
// checked against.
//
//   - Android: permissions are granted at install up to API 22 (Android
//     5.1); from 23 they are asked at run time, and "don't ask again" can
//     be ticked after a first denial; from 30 (Android 11) two denials end
//     the dialogs, one-time grants exist and permissions of apps unused for
//     months are reset; from 31 location may be granted approximate; from 33
//     notifications are a runtime permission and storage is no longer one;
//     from 34 photos may be granted for selected items ("limited").
//     (developer.android.com, "Request runtime permissions", "Permissions
//     updates in Android 11", "Approximate location", "Notification runtime
//     permission", "Grant partial access to photos and videos".)
//   - iOS: each permission's dialog shows once; later only the Settings app
//     changes it. There is no call log, phone state or storage permission;
//     App Tracking Transparency exists from iOS 14, and from 14 photos may be
//     limited and location approximate. Face ID asks once. (Apple's
//     authorization-status documentation per framework.)
//   - HarmonyOS NEXT: requestPermissionsFromUser shows once; then only
//     requestPermissionOnSetting or the settings.
//   - WeChat and Alipay mini-programs: a scope's dialog shows once; then
//     only the settings page changes it. WeChat first shows its privacy
//     agreement (wx.requirePrivacyAuthorize) before any privacy API: a
//     user who refuses it has the API fail without the scope dialog.
//   - Web: the Permissions API state is prompt, granted or denied; a
//     dismissed prompt stays prompt, and Chrome blocks after three.
//
// Which identifiers exist at which version and how each is granted (a
// dialog, at install, on a settings page only, or never to an ordinary
// app), and which pickers, components and stores serve an access level
// without any permission, are the tables of facts.go, each row with the
// documentation it is written from. They are the simulator's own: the
// engine's and the compiler's tables are not read.
package device

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jitconsent/jitconsent/engine/vocab"
)

// Profile is a device model: a platform at a version.
type Profile struct {
	Name     string `json:"name"`
	Platform string `json:"platform"`
	// Version is what a request's device.version carries: an API level
	// ("33"), an iOS version ("17.2"), a mini-program base library, or a
	// browser name.
	Version string `json:"version"`
	// Webview marks a web device whose host's WASI poll_oneoff fails, as
	// browser shims' does.
	Webview bool `json:"webview,omitempty"`
	// Vendor marks an Android system of a Chinese vendor that follows
	// T/TAF 108-2022: reading the installed-app list needs its runtime
	// permission com.android.permission.GET_INSTALLED_APPS. A stock
	// system does not define it.
	Vendor bool `json:"vendor,omitempty"`
}

var profiles = []Profile{
	{Name: "android-22", Platform: "android", Version: "22"},
	{Name: "android-23", Platform: "android", Version: "23"},
	{Name: "android-25", Platform: "android", Version: "25"},
	{Name: "android-26", Platform: "android", Version: "26"},
	{Name: "android-29", Platform: "android", Version: "29"},
	{Name: "android-30", Platform: "android", Version: "30"},
	{Name: "android-30-vendor", Platform: "android", Version: "30", Vendor: true},
	{Name: "android-31", Platform: "android", Version: "31"},
	{Name: "android-33", Platform: "android", Version: "33"},
	{Name: "android-34", Platform: "android", Version: "34"},
	{Name: "android-35", Platform: "android", Version: "35"},
	{Name: "ios-13", Platform: "ios", Version: "13.7"},
	{Name: "ios-14", Platform: "ios", Version: "14.8"},
	{Name: "ios-17", Platform: "ios", Version: "17.2"},
	{Name: "harmonyos-next", Platform: "harmonyos", Version: "12"},
	{Name: "wechat", Platform: "wechat", Version: "3.4.1"},
	{Name: "alipay", Platform: "alipay", Version: "2.9.0"},
	{Name: "web", Platform: "web", Version: "chrome"},
	{Name: "webview", Platform: "web", Version: "chrome", Webview: true},
}

// Profiles lists every device model.
func Profiles() []Profile { return slices.Clone(profiles) }

// Lookup finds a profile by name; its error lists the known ones.
func Lookup(name string) (Profile, error) {
	for _, p := range profiles {
		if p.Name == name {
			return p, nil
		}
	}
	var names []string
	for _, p := range profiles {
		names = append(names, p.Name)
	}
	return Profile{}, fmt.Errorf("unknown device profile %q (known: %s)", name, strings.Join(names, ", "))
}

// Choice is what the user does in a system dialog.
type Choice string

// Choices.
const (
	Allow        Choice = "allow"        // allow (Android 11+: "while using the app")
	AllowOnce    Choice = "allow_once"   // a one-time grant (Android 11+; iOS location "Allow Once")
	AllowLimited Choice = "limited"      // approximate location, selected photos
	Deny         Choice = "deny"         // deny, don't allow, block
	DenyForever  Choice = "deny_forever" // "don't ask again" (Android 6-10, after a first denial)
	Dismiss      Choice = "dismiss"      // back, tap outside, close
)

// OS states reported to the app.
const (
	NotDetermined = "not_determined"
	Granted       = "granted"
	Limited       = "limited"
	Denied        = "denied"
	DeniedForever = "denied_forever"
	Restricted    = "restricted"
)

// permissions are the permissions of the vocabulary, which a device
// reports in every request.
var permissions = vocab.Names(vocab.NumPermissions)

type perm struct {
	state      string
	denials    int  // dialogs denied
	once       bool // a one-time grant
	dismissals int  // web prompts dismissed
}

// Device is one simulated phone (or browser) with the app installed.
type Device struct {
	p       Profile
	major   int
	minor   int
	now     time.Time     // the true time
	offset  time.Duration // how far the device's clock is wrong (SetClock)
	lastUse time.Time
	perms   map[string]*perm
	privacy bool // WeChat's privacy agreement accepted
	random  *rand.ChaCha8
}

// DefaultStart is a new device's clock.
var DefaultStart = time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// New returns a device with the app freshly installed.
func New(p Profile) *Device { return NewAt(p, DefaultStart) }

// NewAt returns a device whose clock starts at t.
func NewAt(p Profile, t time.Time) *Device {
	d := &Device{p: p, now: t, lastUse: t}
	var seed [32]byte
	copy(seed[:], p.Name)
	binary.LittleEndian.PutUint64(seed[24:], uint64(t.UnixNano()))
	d.random = rand.NewChaCha8(seed)
	d.parseVersion()
	d.Reinstall()
	return d
}

func (d *Device) parseVersion() {
	parts := strings.SplitN(d.p.Version, ".", 3)
	d.major, _ = strconv.Atoi(parts[0])
	d.minor = 0
	if len(parts) > 1 {
		d.minor, _ = strconv.Atoi(parts[1])
	}
}

// Profile returns the device's profile (its version changes on Upgrade).
func (d *Device) Profile() Profile { return d.p }

// Now is the device's clock, as the app reads it: the true time, plus
// the offset of a clock set wrong (SetClock).
func (d *Device) Now() time.Time { return d.now.Add(d.offset) }

// SetClock sets the device's clock off the true time by offset (0: right
// again), as a user does who sets the date by hand or a phone whose clock
// lost its network time. Only what the app reads moves: the OS's own
// timers (one-time grants, the reset of unused apps' permissions) keep the
// true time.
func (d *Device) SetClock(offset time.Duration) { d.offset = offset }

// ClockOffset is how far the device's clock is off the true time.
func (d *Device) ClockOffset() time.Duration { return d.offset }

// Read is the device's randomness: the same device (profile and start
// time) gives the same bytes, so that runs replay.
func (d *Device) Read(p []byte) (int, error) { return d.random.Read(p) }

func (d *Device) android(min int) bool { return d.p.Platform == "android" && d.major >= min }

// Has reports whether the platform at its version has the permission as
// something the app holds and the OS reports: a runtime permission or
// scope, a special access, or one granted at install (facts.go). Where a
// picker or component is the only way (HarmonyOS contacts and photos,
// WeChat contacts), or where nothing serves it, it has none.
func (d *Device) Has(p string) bool { return d.kindOf(p) != "" }

// Report is what the OS tells the app now, for every permission the
// platform has.
func (d *Device) Report() map[string]string {
	out := map[string]string{}
	for _, p := range permissions {
		if d.Has(p) {
			out[p] = d.perms[p].state
		}
	}
	return out
}

// Snapshot is the state of every permission, for reports.
func (d *Device) Snapshot() map[string]string {
	out := map[string]string{}
	for _, p := range permissions {
		st := d.perms[p].state
		if !d.Has(p) {
			st = "absent"
		}
		out[p] = st
	}
	return out
}

// WouldShowDialog reports whether requesting the permission now shows a
// system dialog.
func (d *Device) WouldShowDialog(p string) bool {
	if len(d.runtimeIDs(p)) == 0 || (d.p.Platform == "android" && d.major <= 22) {
		return false
	}
	st := d.perms[p]
	switch st.state {
	case NotDetermined:
		return true
	case Denied:
		switch {
		case d.android(30):
			return st.denials < 2 // Android 11: two denials end the dialogs
		case d.p.Platform == "android":
			return true // Android 6-10: until "don't ask again"
		}
		return false // iOS, HarmonyOS, mini-programs, web: once
	}
	return false // granted, limited, denied_forever, restricted
}

func (d *Device) limitedOffered(p string) bool {
	switch p {
	case "location":
		return d.android(31) || (d.p.Platform == "ios" && d.major >= 14)
	case "photos":
		return d.android(34) || (d.p.Platform == "ios" && d.major >= 14)
	}
	return false
}

// Request is the app calling the OS's request API for a permission with
// its runtime identifiers on the device and the user's choice; see
// RequestIDs.
func (d *Device) Request(p string, c Choice) (shown bool, result string) {
	return d.RequestIDs(p, d.runtimeIDs(p), c)
}

// RequestIDs is the app calling the OS's request API for a permission
// with the identifiers it names, and the user's choice. It reports whether
// a dialog showed and the result the app receives.
//
// Only identifiers the OS grants in a dialog can show one: a request that
// names none of the permission's runtime identifiers on the device (a
// restricted, removed, special or install-time one, or none at all) shows
// nothing and is denied, or granted if every identifier is granted at
// install. Choices a dialog does not offer become the nearest one it
// does: limited where not offered is allow; a one-time grant where none
// exists is allow; don't-ask-again outside Android 6-10 after a first
// denial is deny; a dismissal where dialogs cannot be dismissed (iOS) is
// deny.
func (d *Device) RequestIDs(p string, ids []string, c Choice) (shown bool, result string) {
	runtime := d.runtimeIDs(p)
	if !slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(runtime, id) }) {
		for _, id := range ids {
			if f := d.Identifier(id); !f.Exists || f.Kind != KindInstall {
				return false, Denied
			}
		}
		if len(ids) == 0 {
			return false, Denied
		}
		return false, Granted
	}
	if !d.WouldShowDialog(p) {
		return false, d.silentResult(p)
	}
	st := d.perms[p]
	if d.NeedsPrivacyAgreement() {
		// WeChat's privacy agreement has not been accepted (see
		// AnswerPrivacy): the API fails without a scope dialog.
		return false, Denied
	}
	switch c {
	case Allow, AllowOnce:
		st.state = Granted
		st.once = c == AllowOnce && (d.android(30) || (d.p.Platform == "ios" && p == "location" && d.major >= 13))
		return true, Granted
	case AllowLimited:
		if d.limitedOffered(p) {
			st.state = Limited
			return true, Limited
		}
		st.state = Granted
		return true, Granted
	case Dismiss:
		switch d.p.Platform {
		case "android":
			return true, "dismissed" // not counted as a denial
		case "web":
			if st.dismissals++; st.dismissals >= 3 {
				st.state = Denied // Chrome blocks after three dismissals
				return true, Denied
			}
			return true, "dismissed"
		}
	case DenyForever:
		if d.p.Platform == "android" && !d.android(30) && st.denials > 0 {
			st.denials++
			st.state = DeniedForever
			return true, DeniedForever
		}
	}
	st.denials++
	st.state = Denied
	return true, Denied
}

func (d *Device) silentResult(p string) string {
	if !d.Has(p) {
		return Denied
	}
	if d.p.Platform == "android" && d.major <= 22 {
		return Granted
	}
	switch st := d.perms[p].state; st {
	case Granted, Limited, DeniedForever:
		return st
	case Denied:
		if d.android(30) {
			return DeniedForever // the app sees a denial without a dialog
		}
		return Denied
	}
	return Denied
}

// NeedsPrivacyAgreement reports whether WeChat will show its privacy
// agreement before the next privacy API.
func (d *Device) NeedsPrivacyAgreement() bool { return d.p.Platform == "wechat" && !d.privacy }

// AnswerPrivacy is the user's answer to WeChat's privacy agreement, which
// shows before the first privacy API; it reports whether it was accepted.
func (d *Device) AnswerPrivacy(c Choice) bool {
	d.privacy = c == Allow || c == AllowOnce || c == AllowLimited
	return d.privacy
}

// Settings is the user switching a permission on or off in the system
// settings (the mini-program's settings page, the browser's site settings,
// a special access's own page). A permission granted at install has no
// switch.
func (d *Device) Settings(p string, on bool) {
	if k := d.kindOf(p); k != KindRuntime && k != KindSpecial {
		return
	}
	st := d.perms[p]
	st.once = false
	if on {
		st.state = Granted
		return
	}
	if st.state == Granted || st.state == Limited {
		st.state = Denied
	}
}

// Use records that the app was used now.
func (d *Device) Use() { d.lastUse = d.now }

// Advance moves the clock. A one-time grant ends once the app has been
// left for a minute (Android 11+ revokes it when the app goes to the
// background; iOS's Allow Once lasts the session); on Android 11+ the
// permissions of an app unused for 90 days are reset.
func (d *Device) Advance(by time.Duration) {
	d.now = d.now.Add(by)
	if by >= time.Minute {
		for _, st := range d.perms {
			if st.once {
				st.once, st.state = false, NotDetermined
			}
		}
	}
	if d.android(30) && d.now.Sub(d.lastUse) >= 90*24*time.Hour {
		for p, st := range d.perms {
			if d.kindOf(p) != KindRuntime {
				continue // the reset takes runtime permissions only
			}
			if st.state == Granted || st.state == Limited {
				st.state = NotDetermined
			}
		}
	}
}

// Upgrade moves to a newer OS version of the same platform. Permissions
// keep their state; on Android 13 notifications appear as not asked.
//
// A permission whose kind changes with the version starts anew as a fresh
// install would have it: on Android 12 Bluetooth, granted at install
// before, becomes a runtime permission not yet asked; on Android 8
// installing packages becomes a per-app access, off.
func (d *Device) Upgrade(version string) error {
	n := NewAt(Profile{Platform: d.p.Platform, Version: version, Vendor: d.p.Vendor}, d.now)
	if n.major < d.major || (n.major == d.major && n.minor < d.minor) {
		return errors.New("a device cannot be downgraded from " + d.p.Version + " to " + version)
	}
	before := map[string]string{}
	for _, p := range permissions {
		before[p] = d.grantedBy(p)
	}
	d.p.Version = version
	if d.p.Platform != "web" && d.p.Platform != "wechat" && d.p.Platform != "alipay" {
		d.p.Name = d.p.Platform + "-" + version
		if d.p.Vendor {
			d.p.Name += "-vendor"
		}
		d.parseVersion()
	}
	for _, p := range permissions {
		if d.grantedBy(p) != before[p] {
			d.perms[p] = &perm{state: d.initial(p)}
		}
	}
	return nil
}

// Reinstall wipes the app's permissions (and WeChat's privacy agreement).
// Before Android 8 installing packages from unknown sources is a setting
// of the device, not of the app: it outlives the app.
func (d *Device) Reinstall() {
	d.privacy = false
	old := d.perms
	d.perms = map[string]*perm{}
	for _, p := range permissions {
		d.perms[p] = &perm{state: d.initial(p)}
		if p == "install_packages" && d.p.Platform == "android" && d.major <= 25 && old != nil {
			d.perms[p] = old[p]
		}
	}
}

// grantedBy says how a permission is granted on the device: its kind
// and, for a special access, its settings page (the device-wide setting
// of Android 7 is not Android 8's per-app access).
func (d *Device) grantedBy(p string) string {
	return string(d.kindOf(p)) + " " + d.Way(p, AccessFull).Settings
}

// initial is a permission's state on a fresh install: granted where the
// manifest grants it (at install, or every runtime permission up to
// Android 5.1), else not asked (a special access is off).
func (d *Device) initial(p string) string {
	switch k := d.kindOf(p); {
	case k == KindInstall, k == KindRuntime && d.p.Platform == "android" && d.major <= 22:
		return Granted
	}
	return NotDetermined
}
