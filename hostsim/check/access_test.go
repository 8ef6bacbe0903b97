package check_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// accessPolicy is a small policy in the format of issue 11: steps that
// need add-only access, the picker, a special access, an install-time
// permission, and a separate consent, declared as the platforms grant
// them.
func accessPolicy() *check.Policy {
	everywhere := []bundle.Constraint{{Platform: "android"}, {Platform: "ios"}, {Platform: "harmonyos"}, {Platform: "wechat"}, {Platform: "alipay"}}
	ask := func(id, access, consequence string, platforms ...bundle.Constraint) bundle.StepPermission {
		if platforms == nil {
			platforms = everywhere
		}
		return bundle.StepPermission{ID: id, Access: access, Consequence: consequence, Purpose: "p", Refusal: "r", Platforms: platforms}
	}
	rt := func(platform, min, max string, ids ...string) bundle.Declare {
		return bundle.Declare{Platform: platform, Min: min, Max: max, IDs: ids}
	}
	b := &bundle.Bundle{
		Policy: bundle.Policy{ID: "t", Version: "1", CooldownSeconds: 48 * 3600},
		Permissions: []bundle.Permission{
			{ID: "photos", Declare: []bundle.Declare{
				{Platform: "ios", Min: "11", Access: "add", IDs: []string{"NSPhotoLibraryAddUsageDescription"}},
				{Platform: "ios", Max: "13", Access: "picker", Grant: "none", API: "UIImagePickerController"},
				{Platform: "ios", Min: "14", Access: "picker", Grant: "none", API: "PHPickerViewController"},
				{Platform: "android", Access: "picker", Grant: "none", API: "ActivityResultContracts.PickVisualMedia"},
			}},
			{ID: "storage", Declare: []bundle.Declare{rt("android", "", "28", "android.permission.READ_EXTERNAL_STORAGE", "android.permission.WRITE_EXTERNAL_STORAGE"),
				rt("android", "29", "32", "android.permission.READ_EXTERNAL_STORAGE")}},
			{ID: "camera", Declare: []bundle.Declare{rt("ios", "", "", "NSCameraUsageDescription"), rt("android", "", "", "android.permission.CAMERA")}},
			{ID: "bluetooth", Declare: []bundle.Declare{{Platform: "android", Max: "30", Grant: "install", IDs: []string{"android.permission.BLUETOOTH"}},
				rt("android", "31", "", "android.permission.BLUETOOTH_CONNECT")}},
			{ID: "install_packages", Declare: []bundle.Declare{{Platform: "android", Max: "25", Grant: "special", Settings: "android.settings.SECURITY_SETTINGS"},
				{Platform: "android", Min: "26", Grant: "special", IDs: []string{"android.permission.REQUEST_INSTALL_PACKAGES"}, Settings: "android.settings.MANAGE_UNKNOWN_APP_SOURCES"}}},
			{ID: "installed_apps", Declare: []bundle.Declare{{Platform: "android", Max: "29", Grant: "none", API: "PackageManager.getInstalledPackages"},
				rt("android", "30", "", "com.android.permission.GET_INSTALLED_APPS")}},
		},
		Scenarios: []bundle.Scenario{{ID: "s", Steps: []bundle.Step{
			{ID: "save", Permissions: []bundle.StepPermission{ask("photos", "add", "blocking", bundle.Constraint{Platform: "ios"})}},
			{ID: "upload", Permissions: []bundle.StepPermission{ask("photos", "picker", "degraded", bundle.Constraint{Platform: "ios"}, bundle.Constraint{Platform: "android"})}},
			{ID: "storage", Permissions: []bundle.StepPermission{ask("storage", "", "degraded", bundle.Constraint{Platform: "android", Max: "32"})}},
			{ID: "bt", Permissions: []bundle.StepPermission{ask("bluetooth", "", "degraded", bundle.Constraint{Platform: "android"})}},
			{ID: "install", Permissions: []bundle.StepPermission{ask("install_packages", "", "degraded", bundle.Constraint{Platform: "android"})}},
			{ID: "apps", Permissions: []bundle.StepPermission{ask("installed_apps", "", "degraded", bundle.Constraint{Platform: "android"})}},
			{ID: "camera", Permissions: []bundle.StepPermission{ask("camera", "", "blocking")}},
			{ID: "liveness", Permissions: []bundle.StepPermission{func() bundle.StepPermission {
				sp := ask("camera", "", "blocking")
				sp.Sensitive, sp.ConsentPurpose = "biometrics", "loan_identity"
				return sp
			}()}},
		}}},
	}
	return check.NewPolicy(b)
}

// turn is one request of a hand-made run and what the host did with its
// answer.
type turn struct {
	ev       sim.Event
	actions  []sim.Action
	dialog   *sim.Dialog
	switched *bool
}

// hand builds the transcript of a run on a profile: the policy accepted
// at launch, then the turns (an enter starts a step), each answer with a
// receipt chained as the contract says.
func hand(profile string, turns ...turn) *sim.Transcript {
	p, err := device.Lookup(profile)
	if err != nil {
		panic(err)
	}
	dev := device.NewAt(p, start)
	yes := true
	all := append([]turn{
		{ev: sim.Event{Type: "launch"}, actions: []sim.Action{{Type: "show_policy", Version: "1", Change: "first", Blocking: true, Accept: "同意", Decline: "不同意"}}},
		{ev: sim.Event{Type: "policy_answer", Accepted: &yes}},
	}, turns...)
	tr := &sim.Transcript{Profile: p, Locale: "zh-CN", Ops: []sim.Op{{Kind: sim.OpLaunch}}}
	var last []json.RawMessage
	op, in := 0, ""
	for _, u := range all {
		if u.ev.Type == "enter" {
			op++
			in = u.ev.Scenario + "/" + u.ev.Step
			tr.Ops = append(tr.Ops, sim.Op{Kind: sim.OpEnter, Scenario: u.ev.Scenario, Step: u.ev.Step})
		}
		e := sim.Entry{Op: op, Time: start, Version: p.Version, Event: u.ev, OS: dev.Report(), Step: in,
			Response: sim.Response{Actions: u.actions, State: json.RawMessage(`{}`)}, Dialog: u.dialog, Settings: u.switched}
		switch u.ev.Type {
		case "policy_answer", "rationale_answer", "permission_result", "consent_answer", "withdraw":
			r := receipt(map[string]any{"receipts": last}, "kind", "answer")
			last = []json.RawMessage{r}
			e.Response.Receipts = last
		}
		tr.Entries = append(tr.Entries, e)
	}
	return tr
}

func enterStep(step string) sim.Event {
	sc, st, _ := strings.Cut(step, "/")
	return sim.Event{Type: "enter", Scenario: sc, Step: st}
}

func accepted(perm string) sim.Event {
	yes := true
	return sim.Event{Type: "rationale_answer", Permission: perm, Accepted: &yes}
}

func result(perm, r string) sim.Event {
	return sim.Event{Type: "permission_result", Permission: perm, Result: r}
}

func rationale(perm, decline string) sim.Action {
	return sim.Action{Type: "show_rationale", Permission: perm, Decline: decline}
}

func request(perm string, ids ...string) sim.Action {
	return sim.Action{Type: "request_permission", Permission: perm, PlatformIDs: ids}
}

func goOn(step string, apis ...sim.SystemAPI) sim.Action {
	sc, st, _ := strings.Cut(step, "/")
	return sim.Action{Type: "proceed", Scenario: sc, Step: st, SystemAPIs: apis}
}

func shown(perm string, c device.Choice, result string) *sim.Dialog {
	return &sim.Dialog{Permission: perm, Shown: true, Choice: c, Result: result}
}

// askedTurns are the usual ask of a runtime permission: the rationale, its
// acceptance and the request, granted in the dialog, and the step going
// on.
func askedTurns(step, perm, decline string, ids ...string) []turn {
	return []turn{
		{ev: enterStep(step), actions: []sim.Action{rationale(perm, decline)}},
		{ev: accepted(perm), actions: []sim.Action{request(perm, ids...)}, dialog: shown(perm, device.Allow, "granted")},
		{ev: result(perm, "granted"), actions: []sim.Action{goOn(step)}},
	}
}

// TestAccessLevels: each clause of issue 11 on a hand-made run: the run
// as the platforms want it breaks no rule, and a broken one is caught by
// the clause's rule, with its reason.
func TestAccessLevels(t *testing.T) {
	policy := accessPolicy()
	on := true
	cases := []struct {
		name, profile string
		good, bad     []turn
		rule, why     string
	}{
		{
			name: "saving asks add-only access, not the full library", profile: "ios-17",
			good: askedTurns("s/save", "photos", "", "NSPhotoLibraryAddUsageDescription"),
			bad:  askedTurns("s/save", "photos", "", "NSPhotoLibraryUsageDescription", "NSPhotoLibraryAddUsageDescription"),
			rule: check.Platform, why: "NSPhotoLibraryUsageDescription, more than add access needs",
		},
		{
			name: "uploading uses the picker, with no rationale", profile: "android-33",
			good: []turn{{ev: enterStep("s/upload"), actions: []sim.Action{goOn("s/upload", sim.SystemAPI{Permission: "photos", Access: "picker", API: "ActivityResultContracts.PickVisualMedia"})}}},
			bad:  []turn{{ev: enterStep("s/upload"), actions: []sim.Action{rationale("photos", "不")}}},
			rule: check.Platform, why: "which needs picker access: Intent.ACTION_PICK or ActivityResultContracts.PickVisualMedia",
		},
		{
			name: "the step goes on naming the picker", profile: "android-29",
			good: []turn{{ev: enterStep("s/upload"), actions: []sim.Action{goOn("s/upload", sim.SystemAPI{Permission: "photos", Access: "picker", API: "ActivityResultContracts.PickVisualMedia"})}}},
			bad:  []turn{{ev: enterStep("s/upload"), actions: []sim.Action{goOn("s/upload")}}},
			rule: check.Platform, why: "without naming the system API for photos (picker access)",
		},
		{
			name: "a picker the device has", profile: "ios-13",
			good: []turn{{ev: enterStep("s/upload"), actions: []sim.Action{goOn("s/upload", sim.SystemAPI{Permission: "photos", Access: "picker", API: "UIImagePickerController"})}}},
			bad:  []turn{{ev: enterStep("s/upload"), actions: []sim.Action{goOn("s/upload", sim.SystemAPI{Permission: "photos", Access: "picker", API: "PHPickerViewController"})}}},
			rule: check.Platform, why: "PHPickerViewController for photos (picker), which ios 13.7 does not have: UIImagePickerController serves it there",
		},
		{
			name: "a restricted identifier in a request", profile: "android-31",
			good: askedTurns("s/storage", "storage", "不", "android.permission.READ_EXTERNAL_STORAGE"),
			bad:  askedTurns("s/storage", "storage", "不", "android.permission.READ_EXTERNAL_STORAGE", "android.permission.MOUNT_UNMOUNT_FILESYSTEMS"),
			rule: check.Platform, why: "MOUNT_UNMOUNT_FILESYSTEMS, a restricted permission",
		},
		{
			name: "a removed identifier in a request", profile: "android-31",
			good: askedTurns("s/bt", "bluetooth", "不", "android.permission.BLUETOOTH_CONNECT"),
			bad:  askedTurns("s/bt", "bluetooth", "不", "android.permission.BLUETOOTH"),
			rule: check.Platform, why: "android.permission.BLUETOOTH, which android 31 does not have: it exists up to 30",
		},
		{
			name: "an install-time permission is not asked", profile: "android-30",
			good: []turn{{ev: enterStep("s/bt"), actions: []sim.Action{goOn("s/bt")}}},
			bad:  []turn{{ev: enterStep("s/bt"), actions: []sim.Action{rationale("bluetooth", "不")}}},
			rule: check.Platform, why: "android 30 grants it at install (android.permission.BLUETOOTH)",
		},
		{
			name: "the installed-app list on a stock system is granted with QUERY_ALL_PACKAGES", profile: "android-30",
			good: []turn{{ev: enterStep("s/apps"), actions: []sim.Action{goOn("s/apps")}}},
			bad:  askedTurns("s/apps", "installed_apps", "不", "com.android.permission.GET_INSTALLED_APPS"),
			rule: check.Platform, why: "grants it at install (android.permission.QUERY_ALL_PACKAGES)",
		},
		{
			name: "the installed-app list on a vendor system is asked", profile: "android-30-vendor",
			good: askedTurns("s/apps", "installed_apps", "不", "com.android.permission.GET_INSTALLED_APPS"),
			bad:  askedTurns("s/apps", "installed_apps", "不", "android.permission.QUERY_ALL_PACKAGES"),
			rule: check.Platform, why: "QUERY_ALL_PACKAGES, which android 30 grants at install",
		},
		{
			name: "a special access goes to its settings page, never a dialog", profile: "android-26",
			good: []turn{
				{ev: enterStep("s/install"), actions: []sim.Action{rationale("install_packages", "不")}},
				{ev: accepted("install_packages"), actions: []sim.Action{{Type: "open_settings", Permission: "install_packages", Special: true, Settings: "android.settings.MANAGE_UNKNOWN_APP_SOURCES"}}, switched: &on},
				{ev: result("install_packages", "granted"), actions: []sim.Action{goOn("s/install")}},
			},
			bad: []turn{
				{ev: enterStep("s/install"), actions: []sim.Action{rationale("install_packages", "不")}},
				{ev: accepted("install_packages"), actions: []sim.Action{request("install_packages", "android.permission.REQUEST_INSTALL_PACKAGES")},
					dialog: &sim.Dialog{Permission: "install_packages", Result: "denied"}},
			},
			rule: check.Settings, why: "a special access, which android 26 grants only on its settings page (android.settings.MANAGE_UNKNOWN_APP_SOURCES)",
		},
		{
			name: "unknown sources before Android 8: the security settings", profile: "android-25",
			good: []turn{
				{ev: enterStep("s/install"), actions: []sim.Action{rationale("install_packages", "不")}},
				{ev: accepted("install_packages"), actions: []sim.Action{{Type: "open_settings", Permission: "install_packages", Special: true, Settings: "android.settings.SECURITY_SETTINGS"}}, switched: &on},
				{ev: result("install_packages", "granted"), actions: []sim.Action{goOn("s/install")}},
			},
			bad: []turn{
				{ev: enterStep("s/install"), actions: []sim.Action{rationale("install_packages", "不")}},
				{ev: accepted("install_packages"), actions: []sim.Action{{Type: "open_settings", Permission: "install_packages", Special: true, Settings: "android.settings.MANAGE_UNKNOWN_APP_SOURCES"}}},
			},
			rule: check.Settings, why: `names the page "android.settings.MANAGE_UNKNOWN_APP_SOURCES" (special true), not android.settings.SECURITY_SETTINGS`,
		},
		{
			name: "iOS pre-permission screens have one button", profile: "ios-17",
			good: askedTurns("s/camera", "camera", "", "NSCameraUsageDescription"),
			bad:  askedTurns("s/camera", "camera", "暂不授权", "NSCameraUsageDescription"),
			rule: check.Rationale, why: `on iOS has a decline button ("暂不授权")`,
		},
		{
			name: "other platforms' rationales can be declined", profile: "android-33",
			good: askedTurns("s/camera", "camera", "暂不授权", "android.permission.CAMERA"),
			bad:  askedTurns("s/camera", "camera", "", "android.permission.CAMERA"),
			rule: check.Rationale, why: "has no decline button",
		},
		{
			name: "iOS: the separate consent on its own screen, before the one-button rationale", profile: "ios-17",
			good: append([]turn{
				{ev: enterStep("s/liveness"), actions: []sim.Action{{Type: "show_consent", Permission: "camera", Sensitive: "biometrics", Purpose: "loan_identity", Scenario: "s", Step: "liveness"}}},
				{ev: sim.Event{Type: "consent_answer", Sensitive: "biometrics", Purpose: "loan_identity", Accepted: &on}, actions: []sim.Action{rationale("camera", "")}},
			}, askedTurns("s/liveness", "camera", "", "NSCameraUsageDescription")[1:]...),
			bad: append([]turn{
				{ev: enterStep("s/liveness"), actions: []sim.Action{{Type: "show_rationale", Permission: "camera", Sensitive: "biometrics", Purpose: "loan_identity"}}},
			}, askedTurns("s/liveness", "camera", "", "NSCameraUsageDescription")[1:]...),
			rule: check.Separate, why: "on iOS asks for separate consent to biometrics/loan_identity",
		},
		{
			name: "iOS: no one-button rationale before the separate consent", profile: "ios-17",
			good: append([]turn{
				{ev: enterStep("s/liveness"), actions: []sim.Action{{Type: "show_consent", Permission: "camera", Sensitive: "biometrics", Purpose: "loan_identity", Scenario: "s", Step: "liveness"}}},
				{ev: sim.Event{Type: "consent_answer", Sensitive: "biometrics", Purpose: "loan_identity", Accepted: &on}, actions: []sim.Action{rationale("camera", "")}},
			}, askedTurns("s/liveness", "camera", "", "NSCameraUsageDescription")[1:]...),
			bad:  askedTurns("s/liveness", "camera", "", "NSCameraUsageDescription"),
			rule: check.Separate, why: "comes before the separate consent biometrics/loan_identity was given on its own screen",
		},
		{
			name: "a consent screen names the permission it comes with", profile: "ios-17",
			good: []turn{{ev: enterStep("s/liveness"), actions: []sim.Action{{Type: "show_consent", Permission: "camera", Sensitive: "biometrics", Purpose: "loan_identity", Scenario: "s", Step: "liveness"}}}},
			bad:  []turn{{ev: enterStep("s/liveness"), actions: []sim.Action{{Type: "show_consent", Permission: "microphone", Sensitive: "biometrics", Purpose: "loan_identity", Scenario: "s", Step: "liveness"}}}},
			rule: check.Separate, why: "names the permission microphone, which the step's consent does not come with",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if faults := check.Check(policy, hand(c.profile, c.good...)); len(faults) > 0 {
				t.Fatalf("the run as the platform wants it breaks rules: %v", faults)
			}
			faults := check.Check(policy, hand(c.profile, c.bad...))
			for _, f := range faults {
				if f.Rule == c.rule && strings.Contains(f.Detail, c.why) {
					return
				}
			}
			t.Errorf("the broken run is not caught by %s (%q); its faults: %v", c.rule, c.why, faults)
		})
	}
}
