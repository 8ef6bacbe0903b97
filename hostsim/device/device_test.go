package device

import (
	"testing"
	"time"
)

func mustLookup(t *testing.T, name string) *Device {
	t.Helper()
	p, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return New(p)
}

// TestDialogSequences: what repeated requests show and give, per profile.
func TestDialogSequences(t *testing.T) {
	type req struct {
		choice Choice
		shown  bool
		result string
	}
	cases := []struct {
		profile, perm string
		reqs          []req
	}{
		{"android-22", "camera", []req{{Deny, false, Granted}}},
		{"android-29", "camera", []req{{Deny, true, Denied}, {Deny, true, Denied}, {DenyForever, true, DeniedForever}, {Allow, false, DeniedForever}}},
		{"android-23", "camera", []req{{DenyForever, true, Denied}, {DenyForever, true, DeniedForever}}},
		{"android-30", "camera", []req{{Deny, true, Denied}, {Dismiss, true, "dismissed"}, {Deny, true, Denied}, {Allow, false, DeniedForever}}},
		{"android-30", "location", []req{{AllowLimited, true, Granted}}},
		{"android-31", "location", []req{{AllowLimited, true, Limited}}},
		{"android-33", "photos", []req{{AllowLimited, true, Granted}}},
		{"android-34", "photos", []req{{AllowLimited, true, Limited}}},
		{"ios-17", "camera", []req{{Deny, true, Denied}, {Allow, false, Denied}}},
		{"ios-17", "camera", []req{{Dismiss, true, Denied}}},
		{"ios-13", "photos", []req{{AllowLimited, true, Granted}}},
		{"ios-14", "photos", []req{{AllowLimited, true, Limited}}},
		{"harmonyos-next", "microphone", []req{{Deny, true, Denied}, {Allow, false, Denied}}},
		{"wechat", "location", []req{{Allow, false, Denied}}}, // no privacy agreement yet
		{"web", "camera", []req{{Dismiss, true, "dismissed"}, {Dismiss, true, "dismissed"}, {Dismiss, true, Denied}, {Allow, false, Denied}}},
		{"web", "contacts", []req{{Allow, false, Denied}}},
	}
	for _, c := range cases {
		d := mustLookup(t, c.profile)
		for i, r := range c.reqs {
			shown, result := d.Request(c.perm, r.choice)
			if shown != r.shown || result != r.result {
				t.Errorf("%s %s request %d (%s): shown %v result %s, want %v %s", c.profile, c.perm, i+1, r.choice, shown, result, r.shown, r.result)
			}
		}
	}
}

// TestHas: which platform has which permission.
func TestHas(t *testing.T) {
	for _, c := range []struct {
		profile, perm string
		has           bool
	}{
		{"android-32x", "", false},
		{"android-31", "notifications", false}, {"android-33", "notifications", true},
		{"android-31", "storage", true}, {"android-33", "storage", false},
		{"android-33", "ad_tracking", false}, {"android-33", "face_id", false},
		{"ios-17", "call_log", false}, {"ios-17", "phone_state", false}, {"ios-17", "face_id", true},
		{"ios-13", "ad_tracking", false}, {"ios-14", "ad_tracking", true},
		{"harmonyos-next", "call_log", false}, {"wechat", "contacts", false}, {"alipay", "calendar", false},
		{"web", "location", true}, {"web", "photos", false},
	} {
		if c.perm == "" {
			if _, err := Lookup(c.profile); err == nil {
				t.Errorf("Lookup(%q) succeeded", c.profile)
			}
			continue
		}
		if got := mustLookup(t, c.profile).Has(c.perm); got != c.has {
			t.Errorf("%s Has(%s) = %v", c.profile, c.perm, got)
		}
	}
}

// TestTimeSettingsUpgrades: one-time grants end, Android 11+ resets an
// unused app's permissions, settings switch them, upgrades and reinstalls.
func TestTimeSettingsUpgrades(t *testing.T) {
	d := mustLookup(t, "android-30")
	d.Request("camera", AllowOnce)
	d.Advance(2 * time.Minute)
	if got := d.Report()["camera"]; got != NotDetermined {
		t.Errorf("one-time grant after the app was left: %s", got)
	}
	d.Request("location", Allow)
	d.Use()
	d.Advance(91 * 24 * time.Hour)
	if got := d.Report()["location"]; got != NotDetermined {
		t.Errorf("Android 11 auto-reset after 91 unused days: %s", got)
	}
	old := mustLookup(t, "android-29")
	old.Request("location", Allow)
	old.Advance(91 * 24 * time.Hour)
	if got := old.Report()["location"]; got != Granted {
		t.Errorf("Android 10 has no auto-reset: %s", got)
	}
	ios := mustLookup(t, "ios-17")
	ios.Request("camera", Deny)
	ios.Settings("camera", true)
	if got := ios.Report()["camera"]; got != Granted {
		t.Errorf("switched on in Settings: %s", got)
	}
	up := mustLookup(t, "android-31")
	if _, ok := up.Report()["notifications"]; ok {
		t.Error("Android 12 reports a notification permission")
	}
	if err := up.Upgrade("33"); err != nil {
		t.Fatal(err)
	}
	if got := up.Report()["notifications"]; got != NotDetermined {
		t.Errorf("after the upgrade to 13, notifications: %q", got)
	}
	if err := up.Upgrade("31"); err == nil {
		t.Error("a downgrade succeeded")
	}
	ios.Reinstall()
	if got := ios.Report()["camera"]; got != NotDetermined {
		t.Errorf("after a reinstall: %s", got)
	}
}

// TestWeChatPrivacyAgreement: WeChat asks for its privacy agreement before
// the first privacy API; refusing it fails the API without the scope
// dialog, which then still shows once agreed.
func TestWeChatPrivacyAgreement(t *testing.T) {
	d := mustLookup(t, "wechat")
	if !d.NeedsPrivacyAgreement() {
		t.Fatal("a fresh WeChat install needs no privacy agreement")
	}
	if d.AnswerPrivacy(Deny) || !d.NeedsPrivacyAgreement() {
		t.Error("a refused agreement counts")
	}
	if shown, res := d.Request("camera", Allow); shown || res != Denied || d.Report()["camera"] != NotDetermined {
		t.Errorf("without the agreement: shown %v, %s, scope %s", shown, res, d.Report()["camera"])
	}
	if !d.AnswerPrivacy(Allow) || d.NeedsPrivacyAgreement() {
		t.Error("an accepted agreement does not count")
	}
	if shown, res := d.Request("camera", Allow); !shown || res != Granted {
		t.Errorf("agreed and allowed: shown %v, %s", shown, res)
	}
	// Once agreed, a scope's dialog shows once.
	if shown, res := d.Request("microphone", Deny); !shown || res != Denied {
		t.Errorf("microphone denied: shown %v, %s", shown, res)
	}
	if shown, res := d.Request("microphone", Allow); shown || res != Denied {
		t.Errorf("microphone again: shown %v, %s; want no dialog", shown, res)
	}
	if mustLookup(t, "alipay").NeedsPrivacyAgreement() {
		t.Error("Alipay has no such agreement in this model")
	}
}

// TestSetClock: a clock set wrong moves what the app reads, not the OS's
// own timers: a one-time grant still ends a true minute later.
func TestSetClock(t *testing.T) {
	p, _ := Lookup("android-33")
	d := New(p)
	d.Request("camera", AllowOnce)
	d.SetClock(720 * time.Hour)
	if got := d.Now(); !got.Equal(DefaultStart.Add(720*time.Hour)) || d.ClockOffset() != 720*time.Hour {
		t.Errorf("now %v with the clock 30 days ahead", got)
	}
	if d.Report()["camera"] != Granted {
		t.Errorf("setting the clock ended a one-time grant")
	}
	d.Advance(time.Minute)
	d.SetClock(0)
	if got := d.Now(); !got.Equal(DefaultStart.Add(time.Minute)) {
		t.Errorf("now %v once the clock is corrected", got)
	}
	if d.Report()["camera"] != NotDetermined {
		t.Errorf("a one-time grant outlived a true minute away")
	}
}
