package sim_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
)

// request is a request as the fake engine reads it.
type request struct {
	Now    string            `json:"now"`
	Locale string            `json:"locale"`
	Device map[string]string `json:"device"`
	OS     map[string]string `json:"os"`
	Event  sim.Event         `json:"event"`
	State  json.RawMessage   `json:"state"`
}

// fake is an engine with canned answers: answer says, for each request,
// what it answers; every request is kept.
type fake struct {
	answer   func(n int, r request) string // n counts requests from 0
	requests []request
	loads    []string // "<bundle> after <n> requests"
	refuse   error    // what Load answers (nil: it takes the bundle)
}

func (f *fake) engine() sim.Engine { return sim.Engine{Decide: f.decide, Load: f.load} }

func (f *fake) load(name string) error {
	f.loads = append(f.loads, fmt.Sprintf("%s after %d requests", name, len(f.requests)))
	return f.refuse
}

func (f *fake) decide(req []byte) ([]byte, error) {
	var r request
	if err := json.Unmarshal(req, &r); err != nil {
		return nil, fmt.Errorf("the host sent %s: %v", req, err)
	}
	f.requests = append(f.requests, r)
	return []byte(f.answer(len(f.requests)-1, r)), nil
}

// events lists the requests' events, each as describe writes it.
func (f *fake) events() []string {
	var out []string
	for _, r := range f.requests {
		out = append(out, describe(r.Event))
	}
	return out
}

// describe writes an event as "type [permission|scenario/step]
// [accepted|result]".
func describe(e sim.Event) string {
	s := e.Type
	if e.Permission != "" {
		s += " " + e.Permission
	}
	if e.Sensitive != "" || e.Purpose != "" {
		s += " " + e.Sensitive + "/" + e.Purpose
	}
	if e.Scenario != "" {
		s += " " + e.Scenario + "/" + e.Step
	}
	if e.Accepted != nil {
		s += fmt.Sprintf(" %v", *e.Accepted)
	}
	if e.Result != "" {
		s += " " + e.Result
	}
	return s
}

// recorder is a scripted user who notes what it was asked, in order.
type recorder struct {
	sim.Scripted
	asked []string
}

func (u *recorder) Policy(a *sim.Action) bool {
	u.asked = append(u.asked, "policy "+a.Change)
	return u.Scripted.Policy(a)
}

func (u *recorder) Rationale(a *sim.Action) bool {
	u.asked = append(u.asked, "rationale "+a.Permission)
	return u.Scripted.Rationale(a)
}

func (u *recorder) Consent(a *sim.Action) bool {
	u.asked = append(u.asked, "consent "+a.Consent())
	return u.Scripted.Consent(a)
}

func (u *recorder) Dialog(p string) device.Choice {
	u.asked = append(u.asked, "dialog "+p)
	return u.Scripted.Dialog(p)
}

func (u *recorder) Settings(p string) bool {
	u.asked = append(u.asked, "settings "+p)
	return u.Scripted.Settings(p)
}

// answer is an engine's answer with actions and a state.
func answer(state string, actions ...string) string {
	return `{"actions":[` + strings.Join(actions, ",") + `],"sdks":[],"state":` + state + `,"receipts":[],"trace":[]}`
}

const (
	policyMajor = `{"type":"show_policy","change":"major","blocking":true}`
	policyMinor = `{"type":"show_policy","change":"minor"}`
	ratCamera   = `{"type":"show_rationale","permission":"camera","accept":"Continue","decline":"Not now"}`
	reqCamera   = `{"type":"request_permission","permission":"camera","platform_ids":["android.permission.CAMERA"]}`
	reqLocation = `{"type":"request_permission","permission":"location","platform_ids":["android.permission.ACCESS_FINE_LOCATION"]}`
	setCamera   = `{"type":"open_settings","permission":"camera"}`
	// reqScopeCamera is the camera's request in WeChat.
	reqScopeCamera = `{"type":"request_permission","permission":"camera","platform_ids":["scope.camera"]}`
	proceed        = `{"type":"proceed","scenario":"loan_apply","step":"apply"}`
)

func profile(t *testing.T, name string) device.Profile {
	t.Helper()
	p, err := device.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	launch = sim.Op{Kind: sim.OpLaunch}
	enter  = sim.Op{Kind: sim.OpEnter, Scenario: "loan_apply", Step: "apply"}
)

// TestRun plays ops against fake engines and checks the requests the host
// loop sends, what it asks the user, and what the transcript records.
func TestRun(t *testing.T) {
	for _, c := range []struct {
		name    string
		profile string
		ops     []sim.Op
		user    sim.Scripted
		answer  func(n int, r request) string
		events  []string // the requests' events, in order
		asked   []string // what the user was asked, in order
		failure string   // in the transcript's Failure ("" for none)
		check   func(t *testing.T, f *fake, tr *sim.Transcript)
		refuse  error // the engine refuses every update with it
	}{
		{
			name: "a request as the contract says, and the state carried", profile: "ios-17",
			ops:    []sim.Op{launch, {Kind: sim.OpWait, Wait: 2 * time.Hour}, enter, {Kind: sim.OpWithdraw, Permission: "camera"}},
			answer: func(n int, _ request) string { return answer(fmt.Sprintf(`{"n":%d}`, n)) },
			events: []string{"launch", "enter loan_apply/apply", "withdraw camera"},
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				r := f.requests[1]
				if r.Now != "2026-03-01T12:00:00+08:00" || r.Locale != "en" || !reflect.DeepEqual(r.Device, map[string]string{"platform": "ios", "version": "17.2"}) ||
					r.OS["camera"] != "not_determined" || r.OS["call_log"] != "" {
					t.Errorf("the second request: %+v", r)
				}
				for i, want := range []string{"", `{"n":0}`, `{"n":1}`} {
					if string(f.requests[i].State) != want {
						t.Errorf("request %d carries state %s, want %q", i+1, f.requests[i].State, want)
					}
				}
				if tr.Entries[1].Step != "loan_apply/apply" || tr.Entries[0].Step != "" || tr.Entries[2].Op != 3 || string(tr.Entries[2].Raw) != answer(`{"n":2}`) {
					t.Errorf("entries: %+v", tr.Entries)
				}
			},
		},
		{
			name: "actions performed in order: policy, rationale, request via the device, settings", profile: "android-33",
			ops:  []sim.Op{launch, enter},
			user: sim.Scripted{Dialogs: []device.Choice{device.Deny}, Switches: []bool{true}},
			answer: func(_ int, r request) string {
				switch r.Event.Type {
				case "launch":
					return answer(`{}`, policyMajor)
				case "enter":
					return answer(`{}`, ratCamera)
				case "rationale_answer":
					return answer(`{}`, reqCamera)
				}
				if r.Event.Result == "denied" {
					return answer(`{}`, setCamera)
				}
				return answer(`{}`, proceed)
			},
			events: []string{"launch", "policy_answer true", "enter loan_apply/apply", "rationale_answer camera true",
				"permission_result camera denied", "permission_result camera granted"},
			asked: []string{"policy major", "rationale camera", "dialog camera", "settings camera"},
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				if d := tr.Entries[3].Dialog; d == nil || !d.Shown || d.Choice != device.Deny || d.Result != "denied" || d.Privacy != nil {
					t.Errorf("the dialog: %+v", d)
				}
				if s := tr.Entries[4].Settings; s == nil || !*s {
					t.Errorf("the settings: %v", s)
				}
				for i, want := range []string{"policy_answer true", "", "rationale_answer camera true", "permission_result camera denied", "permission_result camera granted", ""} {
					var got []string
					for _, a := range tr.Entries[i].Answers {
						got = append(got, fmt.Sprint(a.Action, " ", describe(a.Event)))
					}
					if w := []string{"0 " + want}; want == "" && got != nil || want != "" && !reflect.DeepEqual(got, w) {
						t.Errorf("entry %d's answers %q, want %q", i, got, want)
					}
				}
				if f.requests[5].OS["camera"] != "granted" {
					t.Errorf("after the settings the OS reports camera %q", f.requests[5].OS["camera"])
				}
			},
		},
		{
			name: "a consent screen answered by consent, a rationale asking one by consent, a consent withdrawn", profile: "harmonyos-next",
			ops:  []sim.Op{launch, enter, {Kind: sim.OpWithdraw, Sensitive: "financial_account", Purpose: "card_binding"}},
			user: sim.Scripted{Consents: []bool{true}, PerConsent: map[string][]bool{"financial_account/card_binding": {false}, "biometrics/loan_identity": {false}}},
			answer: func(_ int, r request) string {
				switch r.Event.Type {
				case "enter":
					return answer(`{}`, `{"type":"show_consent","sensitive":"financial_account","purpose":"card_binding","scenario":"loan_apply","step":"bind_card"}`)
				case "consent_answer":
					if r.Event.Sensitive == "financial_account" {
						return answer(`{}`, `{"type":"show_consent","sensitive":"precise_location","purpose":"loan_risk"}`)
					}
					return answer(`{}`, `{"type":"show_rationale","permission":"camera","sensitive":"biometrics","purpose":"loan_identity","decline":"Not now"}`)
				case "rationale_answer":
					return answer(`{}`, `{"type":"block","sensitive":"biometrics","purpose":"loan_identity","scenario":"loan_apply","step":"apply"}`)
				}
				return answer(`{}`)
			},
			events: []string{"launch", "enter loan_apply/apply", "consent_answer financial_account/card_binding false",
				"consent_answer precise_location/loan_risk true", "rationale_answer camera false", "withdraw financial_account/card_binding"},
			asked: []string{"consent financial_account/card_binding", "consent precise_location/loan_risk", "rationale camera"},
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				if a := tr.Entries[4].Response.Actions[0]; a.Consent() != "biometrics/loan_identity" || a.Permission != "" {
					t.Errorf("the block: %+v", a)
				}
				if w := f.requests[5].Event; w.Permission != "" {
					t.Errorf("a consent's withdrawal names a permission: %+v", w)
				}
			},
		},
		{
			name: "a clock set ahead and corrected: requests carry the device's clock", profile: "android-33",
			ops:    []sim.Op{launch, {Kind: sim.OpClock, Offset: 720 * time.Hour}, launch, {Kind: sim.OpWait, Wait: time.Hour}, {Kind: sim.OpClock}, launch},
			answer: func(int, request) string { return answer(`{}`) },
			events: []string{"launch", "launch", "launch"},
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				var got []string
				for _, r := range f.requests {
					got = append(got, r.Now)
				}
				want := []string{"2026-03-01T10:00:00+08:00", "2026-03-31T10:00:00+08:00", "2026-03-01T11:00:00+08:00"}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("now %q, want %q", got, want)
				}
				if !tr.Entries[1].Time.Equal(time.Date(2026, 3, 31, 10, 0, 0, 0, time.FixedZone("", 8*3600))) {
					t.Errorf("the entry's time %v is not the device's clock", tr.Entries[1].Time)
				}
			},
		},
		{
			name: "proceed with missing consents and a system prompt, unavailable and sdk_data read", profile: "android-33",
			ops: []sim.Op{launch},
			answer: func(int, request) string {
				return `{"actions":[{"type":"proceed","scenario":"register_login","step":"face_login","missing_consents":["biometrics/biometric_login"],"system_prompt":"androidx.biometric.BiometricPrompt"},` +
					`{"type":"unavailable","scenario":"register_login","step":"face_login","body":"x"}],"sdks":["jpush"],"sdk_data":{"jpush":["location"]},"state":{},"receipts":[],"trace":[]}`
			},
			events: []string{"launch"},
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				r := tr.Entries[0].Response
				if a := r.Actions[0]; a.SystemPrompt != "androidx.biometric.BiometricPrompt" || !reflect.DeepEqual(a.MissingConsents, []string{"biometrics/biometric_login"}) {
					t.Errorf("the proceed: %+v", a)
				}
				if !reflect.DeepEqual(r.SDKData, map[string][]string{"jpush": {"location"}}) || r.Actions[1].Type != "unavailable" {
					t.Errorf("the response: %+v", r)
				}
			},
		},
		{
			name: "a prompt ends its answer: later actions wait for the next", profile: "android-33",
			ops: []sim.Op{launch},
			answer: func(n int, _ request) string {
				if n == 0 {
					return answer(`{}`, ratCamera, reqLocation)
				}
				return answer(`{}`)
			},
			events: []string{"launch", "rationale_answer camera true"},
			asked:  []string{"rationale camera"},
		},
		{
			name: "a minor update's answer, a decline too, goes on with the other actions", profile: "android-33",
			ops:  []sim.Op{launch},
			user: sim.Scripted{Policies: []bool{false}},
			answer: func(_ int, r request) string {
				if r.Event.Type == "launch" {
					return answer(`{"v":1}`, policyMinor, ratCamera)
				}
				return answer(`{"v":2}`)
			},
			events: []string{"launch", "policy_answer false", "rationale_answer camera true"},
			asked:  []string{"policy minor", "rationale camera"},
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				if string(f.requests[2].State) != `{"v":2}` {
					t.Errorf("the rationale's answer carries state %s, not that of the popup's answer", f.requests[2].State)
				}
				// Both screens of the launch's answer were answered, each
				// recorded against its action: the popup's answer is the
				// next entry, the rationale's the one after it.
				got := tr.Entries[0].Answers
				if len(got) != 2 || got[0].Action != 0 || got[0].Event.Type != "policy_answer" || *got[0].Event.Accepted ||
					got[1].Action != 1 || got[1].Event.Type != "rationale_answer" || !*got[1].Event.Accepted || len(tr.Entries[1].Answers) != 0 {
					t.Errorf("the answers: %+v, then %+v", got, tr.Entries[1].Answers)
				}
			},
		},
		{
			name: "an update loaded at once: the next request is the first the newer bundle answers", profile: "android-33",
			ops:    []sim.Op{launch, {Kind: sim.OpUpdate, Bundle: "minor"}, {Kind: sim.OpWait, Wait: time.Hour}, launch},
			answer: func(int, request) string { return answer(`{}`) },
			events: []string{"launch", "launch"},
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				if !reflect.DeepEqual(f.loads, []string{"minor after 1 requests"}) {
					t.Errorf("loads %q", f.loads)
				}
				if tr.Entries[0].Update != "" || tr.Entries[1].Update != "minor" {
					t.Errorf("the entries record the update %q, %q; want it on the second", tr.Entries[0].Update, tr.Entries[1].Update)
				}
			},
		},
		{
			name: "an update while a rationale waits: loaded before the answer is sent", profile: "android-33",
			ops: []sim.Op{launch, {Kind: sim.OpUpdate, Bundle: "revision", While: "show_rationale"}, enter},
			answer: func(_ int, r request) string {
				switch r.Event.Type {
				case "enter":
					return answer(`{}`, ratCamera)
				case "rationale_answer":
					return answer(`{}`, policyMajor)
				}
				return answer(`{}`)
			},
			events: []string{"launch", "enter loan_apply/apply", "rationale_answer camera true", "policy_answer true"},
			asked:  []string{"rationale camera", "policy major"},
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				if !reflect.DeepEqual(f.loads, []string{"revision after 2 requests"}) {
					t.Errorf("loads %q: want the bundle loaded after the rationale was shown, before its answer", f.loads)
				}
				if tr.Entries[2].Update != "revision" || tr.Entries[2].Op != 2 {
					t.Errorf("the rationale's answer: update %q, op %d", tr.Entries[2].Update, tr.Entries[2].Op)
				}
			},
		},
		{
			name: "an update waiting for a screen the next op does not show loads when that op ends", profile: "android-33",
			ops: []sim.Op{launch, {Kind: sim.OpUpdate, Bundle: "minor", While: "open_settings"}, enter,
				{Kind: sim.OpUpdate, Bundle: "revision", While: "show_consent"}, {Kind: sim.OpUpdate, Bundle: "later", While: "show_policy"}},
			answer: func(_ int, r request) string {
				if r.Event.Type == "enter" {
					return answer(`{}`, ratCamera)
				}
				return answer(`{}`)
			},
			events: []string{"launch", "enter loan_apply/apply", "rationale_answer camera true"},
			asked:  []string{"rationale camera"},
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				// The last update waits for an op that never comes: it
				// never loads, and nothing is left to answer.
				if !reflect.DeepEqual(f.loads, []string{"minor after 3 requests", "revision after 3 requests"}) {
					t.Errorf("loads %q", f.loads)
				}
			},
		},
		{
			name: "an update the engine refuses stops the run, naming the op", profile: "android-33",
			ops: []sim.Op{launch, {Kind: sim.OpUpdate, Bundle: "minor", While: "show_rationale"}, enter, launch},
			answer: func(_ int, r request) string {
				if r.Event.Type == "enter" {
					return answer(`{}`, ratCamera)
				}
				return answer(`{}`)
			},
			refuse:  errors.New("bad_signature: no signature by a trusted key verifies"),
			events:  []string{"launch", "enter loan_apply/apply"},
			asked:   []string{"rationale camera"},
			failure: `op 3 (enter): the update of op 2 (bundle "minor"): bad_signature: no signature by a trusted key verifies`,
		},
		{
			name: "WeChat's privacy agreement before the first request", profile: "wechat",
			ops: []sim.Op{launch, launch},
			answer: func(n int, r request) string {
				if r.Event.Type == "launch" {
					return answer(`{}`, reqScopeCamera)
				}
				return answer(`{}`)
			},
			events: []string{"launch", "permission_result camera granted", "launch", "permission_result camera granted"},
			asked:  []string{"dialog privacy", "dialog camera", "dialog camera"},
			check: func(t *testing.T, _ *fake, tr *sim.Transcript) {
				d := tr.Entries[0].Dialog
				if d == nil || d.Privacy == nil || !d.Privacy.Shown || d.Privacy.Result != "granted" || d.Privacy.Permission != "privacy" || !d.Shown {
					t.Errorf("the first request: %+v", d)
				}
				if d := tr.Entries[2].Dialog; d == nil || d.Privacy != nil || d.Shown {
					t.Errorf("the second request asks the agreement or shows a dialog again: %+v", d)
				}
			},
		},
		{
			name: "WeChat's privacy agreement refused: no scope dialog", profile: "wechat",
			ops:  []sim.Op{launch},
			user: sim.Scripted{PerDialog: map[string][]device.Choice{"privacy": {device.Deny}}},
			answer: func(n int, r request) string {
				if r.Event.Type == "launch" {
					return answer(`{}`, reqScopeCamera)
				}
				return answer(`{}`)
			},
			events: []string{"launch", "permission_result camera denied"},
			asked:  []string{"dialog privacy"},
			check: func(t *testing.T, _ *fake, tr *sim.Transcript) {
				if d := tr.Entries[0].Dialog; d == nil || d.Permission != "privacy" || d.Result != "denied" {
					t.Errorf("the dialog: %+v", d)
				}
			},
		},
		{
			name: "iOS's one-button rationale: the user decides in the system dialog, not on it", profile: "ios-17",
			ops:  []sim.Op{launch, enter},
			user: sim.Scripted{Rationales: []bool{false}, Dialogs: []device.Choice{device.Deny}},
			answer: func(_ int, r request) string {
				switch r.Event.Type {
				case "enter":
					return answer(`{}`, `{"type":"show_rationale","permission":"camera","accept":"Continue","decline":""}`)
				case "rationale_answer":
					return answer(`{}`, `{"type":"request_permission","permission":"camera","platform_ids":["NSCameraUsageDescription"]}`)
				}
				return answer(`{}`)
			},
			events: []string{"launch", "enter loan_apply/apply", "rationale_answer camera true", "permission_result camera denied"},
			asked:  []string{"dialog camera"},
			check: func(t *testing.T, _ *fake, tr *sim.Transcript) {
				if d := tr.Entries[2].Dialog; d == nil || !d.Shown || d.Result != "denied" {
					t.Errorf("the system dialog: %+v", d)
				}
				if !tr.Entries[1].Response.Actions[0].OneButton() {
					t.Error("a rationale without a decline button is not one-button")
				}
			},
		},
		{
			name: "a request naming a restricted identifier: the OS shows nothing and denies", profile: "harmonyos-next",
			ops: []sim.Op{launch},
			answer: func(_ int, r request) string {
				if r.Event.Type == "launch" {
					return answer(`{}`, `{"type":"request_permission","permission":"contacts","platform_ids":["ohos.permission.READ_CONTACTS"]}`)
				}
				return answer(`{}`)
			},
			events: []string{"launch", "permission_result contacts denied"},
			asked:  []string{"dialog contacts"},
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				if d := tr.Entries[0].Dialog; d == nil || d.Shown || d.Result != "denied" {
					t.Errorf("the request: %+v", d)
				}
				if _, ok := f.requests[0].OS["contacts"]; ok {
					t.Errorf("HarmonyOS reports a contacts permission an ordinary app cannot hold: %v", f.requests[0].OS)
				}
			},
		},
		{
			name: "a special access: the settings page it names, where the user switches it", profile: "android-26",
			ops:  []sim.Op{launch},
			user: sim.Scripted{Switches: []bool{true}},
			answer: func(_ int, r request) string {
				if r.Event.Type == "launch" {
					return answer(`{}`, `{"type":"open_settings","permission":"install_packages","settings":"android.settings.MANAGE_UNKNOWN_APP_SOURCES","special":true}`)
				}
				return answer(`{}`)
			},
			events: []string{"launch", "permission_result install_packages granted"},
			asked:  []string{"settings install_packages"},
			check: func(t *testing.T, _ *fake, tr *sim.Transcript) {
				e := tr.Entries[0]
				if a := e.Response.Actions[0]; !a.Special || a.Settings != "android.settings.MANAGE_UNKNOWN_APP_SOURCES" {
					t.Errorf("the action as read: %+v", a)
				}
				if e.Settings == nil || !*e.Settings || e.NoSwitch || e.SettingsPage != "android.settings.MANAGE_UNKNOWN_APP_SOURCES" {
					t.Errorf("the visit: switched %v, no switch %v, page %q", e.Settings, e.NoSwitch, e.SettingsPage)
				}
			},
		},
		{
			name: "a special access sent to a page the device lacks: nothing to switch", profile: "android-25",
			ops:  []sim.Op{launch},
			user: sim.Scripted{Switches: []bool{true}},
			answer: func(_ int, r request) string {
				if r.Event.Type == "launch" {
					return answer(`{}`, `{"type":"open_settings","permission":"install_packages","settings":"android.settings.MANAGE_UNKNOWN_APP_SOURCES","special":true}`)
				}
				return answer(`{}`)
			},
			events: []string{"launch", "permission_result install_packages dismissed"},
			check: func(t *testing.T, _ *fake, tr *sim.Transcript) {
				if e := tr.Entries[0]; e.Settings != nil || !e.NoSwitch {
					t.Errorf("the visit: switched %v, no switch %v", e.Settings, e.NoSwitch)
				}
			},
		},
		{
			name: "proceed's system APIs: the device offers them or not", profile: "ios-13",
			ops: []sim.Op{launch},
			answer: func(int, request) string {
				return answer(`{}`, `{"type":"proceed","scenario":"customer_service","step":"send_image","system_apis":[`+
					`{"permission":"photos","access":"picker","api":"PHPickerViewController"},{"permission":"photos","access":"picker","api":"UIImagePickerController"}]}`)
			},
			events: []string{"launch"},
			check: func(t *testing.T, _ *fake, tr *sim.Transcript) {
				var got []string
				for _, u := range tr.Entries[0].APIs {
					got = append(got, fmt.Sprintf("%s %s %s %v", u.Permission, u.Access, u.API, u.Offered))
				}
				if want := []string{"photos picker PHPickerViewController false", "photos picker UIImagePickerController true"}; !reflect.DeepEqual(got, want) {
					t.Errorf("the calls %q, want %q", got, want)
				}
			},
		},
		{
			name: "WeChat's privacy agreement before choosing media", profile: "wechat",
			ops:  []sim.Op{launch, launch},
			user: sim.Scripted{PerDialog: map[string][]device.Choice{"privacy": {device.Deny, device.Allow}}},
			answer: func(int, request) string {
				return answer(`{}`, `{"type":"proceed","scenario":"mall","step":"return_voucher","system_apis":[{"permission":"photos","access":"picker","api":"wx.chooseMedia"}]}`)
			},
			events: []string{"launch", "launch"},
			asked:  []string{"dialog privacy", "dialog privacy"},
			check: func(t *testing.T, _ *fake, tr *sim.Transcript) {
				first, second := tr.Entries[0].APIs, tr.Entries[1].APIs
				if len(first) != 1 || !first[0].Offered || first[0].Privacy == nil || first[0].Privacy.Result != "denied" {
					t.Errorf("the first call: %+v", first)
				}
				if len(second) != 1 || second[0].Privacy == nil || second[0].Privacy.Result != "granted" {
					t.Errorf("the second call: %+v", second)
				}
			},
		},
		{
			name: "an error answer keeps the state and performs nothing", profile: "android-33",
			ops: []sim.Op{launch, enter, launch},
			answer: func(n int, r request) string {
				if r.Event.Type == "enter" {
					return `{"error":{"code":"bad_request","message":"no","field":"event"},"actions":[` + policyMajor + `]}`
				}
				return answer(fmt.Sprintf(`{"n":%d}`, n))
			},
			events: []string{"launch", "enter loan_apply/apply", "launch"},
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				if string(f.requests[2].State) != `{"n":0}` || tr.Entries[1].Response.Error == nil || tr.Entries[1].Response.Error.Code != "bad_request" {
					t.Errorf("after an error the state is %s; the entry %+v", f.requests[2].State, tr.Entries[1].Response.Error)
				}
			},
		},
		{
			name: "the loop guard", profile: "android-33",
			ops:     []sim.Op{launch, launch},
			answer:  func(int, request) string { return answer(`{}`, policyMajor) },
			asked:   slices.Repeat([]string{"policy major"}, sim.MaxDecisions),
			failure: "op 1 (launch): " + sim.ErrLoop.Error(),
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				if len(f.requests) != sim.MaxDecisions || len(tr.Entries) != sim.MaxDecisions {
					t.Errorf("%d requests, %d entries; want %d", len(f.requests), len(tr.Entries), sim.MaxDecisions)
				}
			},
		},
		{
			name: "an upgrade for another platform does nothing", profile: "android-31",
			ops: []sim.Op{launch, {Kind: sim.OpUpgrade, Version: "17.2", Platform: "ios"}, launch,
				{Kind: sim.OpUpgrade, Version: "34", Platform: "android"}, launch, {Kind: sim.OpUpgrade, Version: "35"}, launch},
			answer: func(int, request) string { return answer(`{}`) },
			events: []string{"launch", "launch", "launch", "launch"},
			check: func(t *testing.T, f *fake, tr *sim.Transcript) {
				var got []string
				for i, r := range f.requests {
					got = append(got, r.Device["version"]+"/"+tr.Entries[i].Version)
				}
				if want := []string{"31/31", "31/31", "34/34", "35/35"}; !reflect.DeepEqual(got, want) {
					t.Errorf("versions %v, want %v", got, want)
				}
				if tr.Profile.Name != "android-31" {
					t.Errorf("the transcript's profile is %s, the one the run started on", tr.Profile.Name)
				}
			},
		},
		{
			name: "a reinstall forgets the state", profile: "android-33",
			ops:    []sim.Op{launch, {Kind: sim.OpReinstall}, launch},
			answer: func(int, request) string { return answer(`{"kept":true}`) },
			events: []string{"launch", "launch"},
			check: func(t *testing.T, f *fake, _ *sim.Transcript) {
				if f.requests[1].State != nil {
					t.Errorf("after a reinstall the state %s", f.requests[1].State)
				}
			},
		},
		{
			name: "an answer that is not JSON stops the run", profile: "web",
			ops:     []sim.Op{launch, launch},
			answer:  func(int, request) string { return "<html>" },
			events:  []string{"launch"},
			failure: "op 1 (launch): the engine's answer is not JSON",
		},
		{
			name: "an unknown op stops the run", profile: "web",
			ops:     []sim.Op{{Kind: "dance"}, launch},
			answer:  func(int, request) string { return answer(`{}`) },
			failure: `op 1 (dance): unknown op "dance"`,
		},
		{
			name: "a downgrade stops the run", profile: "android-33",
			ops:     []sim.Op{{Kind: sim.OpUpgrade, Version: "29"}, launch},
			answer:  func(int, request) string { return answer(`{}`) },
			failure: "op 1 (upgrade): a device cannot be downgraded from 33 to 29",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fake{answer: c.answer, refuse: c.refuse}
			u := &recorder{Scripted: c.user}
			locale := "en"
			tr := sim.Run(f.engine(), device.New(profile(t, c.profile)), u, locale, c.ops)
			if got := f.events(); !reflect.DeepEqual(got, c.events) && c.events != nil {
				t.Errorf("events\n%q\nwant\n%q", got, c.events)
			}
			if !reflect.DeepEqual(u.asked, c.asked) {
				t.Errorf("the user was asked %q, want %q", u.asked, c.asked)
			}
			if (tr.Failure == "") != (c.failure == "") || !strings.Contains(tr.Failure, c.failure) {
				t.Errorf("failure %q, want %q", tr.Failure, c.failure)
			}
			if len(tr.Entries) != len(f.requests) && c.failure == "" {
				t.Errorf("%d entries for %d requests", len(tr.Entries), len(f.requests))
			}
			if tr.Profile.Name != c.profile || tr.Locale != locale || !reflect.DeepEqual(tr.Ops, c.ops) {
				t.Errorf("the transcript's run: %s %s %v", tr.Profile.Name, tr.Locale, tr.Ops)
			}
			if c.check != nil {
				c.check(t, f, tr)
			}
		})
	}
}

// TestRunFrom: a run from a prior record sends the record's state with
// its first request, keeps the declaration in the transcript, and a
// reinstall drops the state.
func TestRunFrom(t *testing.T) {
	f := &fake{answer: func(n int, _ request) string { return answer(fmt.Sprintf(`{"n":%d}`, n)) }}
	prior := &sim.Prior{State: json.RawMessage(`{"v":1,"policy":"msxf"}`), Policy: true, Consents: []string{"precise_location/loan_risk"}}
	tr := sim.RunFrom(f.engine(), device.New(profile(t, "android-33")), &sim.Scripted{}, "zh-CN", prior,
		[]sim.Op{launch, launch, {Kind: sim.OpReinstall}, launch})
	var got []string
	for _, r := range f.requests {
		got = append(got, string(r.State))
	}
	if want := []string{`{"v":1,"policy":"msxf"}`, `{"n":0}`, ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("states sent %q, want %q", got, want)
	}
	if tr.Prior != prior {
		t.Errorf("the transcript's prior record: %+v", tr.Prior)
	}
	if data, _ := json.Marshal(tr.Prior); string(data) != `{"policy":true,"consents":["precise_location/loan_risk"]}` {
		t.Errorf("the declaration as reports write it: %s (the state is the host's, not the report's)", data)
	}
}

// TestNoLoad: an engine without Load stops the run at an update op.
func TestNoLoad(t *testing.T) {
	f := &fake{answer: func(int, request) string { return answer(`{}`) }}
	tr := sim.Run(sim.Engine{Decide: f.decide}, device.New(profile(t, "ios-17")), &sim.Scripted{}, "zh-CN",
		[]sim.Op{launch, {Kind: sim.OpUpdate, Bundle: "minor"}, launch})
	if want := `op 2 (update): the update of op 2 (bundle "minor"): this engine takes no policy update`; tr.Failure != want || len(f.requests) != 1 {
		t.Errorf("failure %q after %d requests, want %q", tr.Failure, len(f.requests), want)
	}
}

// TestEngineFailure: an engine that fails (a trapped module) stops the run
// at that op, with the error, and records no entry for it.
func TestEngineFailure(t *testing.T) {
	trap := errors.New("wasm error: unreachable")
	n := 0
	decide := func([]byte) ([]byte, error) {
		if n++; n == 2 {
			return nil, trap
		}
		return []byte(answer(`{}`)), nil
	}
	tr := sim.Run(sim.Engine{Decide: decide}, device.New(profile(t, "android-33")), &sim.Scripted{}, "zh-CN", []sim.Op{launch, enter, launch})
	if tr.Failure != "op 2 (enter): the engine failed: wasm error: unreachable" || len(tr.Entries) != 1 || n != 2 {
		t.Errorf("failure %q after %d calls, %d entries", tr.Failure, n, len(tr.Entries))
	}
}

// TestInstallation: the host sends an installation id with every request,
// the same for a run's ops and runs alike, and a new one after a
// reinstall, as an app's host makes one at install.
func TestInstallation(t *testing.T) {
	var sent []string
	decide := func(req []byte) ([]byte, error) {
		var r struct{ Installation string }
		json.Unmarshal(req, &r)
		sent = append(sent, r.Installation)
		return []byte(answer(`{}`)), nil
	}
	ops := []sim.Op{launch, launch, {Kind: sim.OpReinstall}, launch}
	tr := sim.Run(sim.Engine{Decide: decide}, device.New(profile(t, "android-33")), &sim.Scripted{}, "zh-CN", ops)
	if len(sent) != 3 || !strings.HasPrefix(sent[0], "sim-") || sent[1] != sent[0] || sent[2] != sent[0]+"-2" || tr.Installation != sent[0] {
		t.Errorf("installations sent %q, transcript's %q", sent, tr.Installation)
	}
	again := sim.Run(sim.Engine{Decide: decide}, device.New(profile(t, "android-33")), &sim.Scripted{}, "zh-CN", ops)
	other := sim.Run(sim.Engine{Decide: decide}, device.New(profile(t, "ios-17")), &sim.Scripted{}, "zh-CN", ops)
	if again.Installation != tr.Installation || other.Installation == tr.Installation {
		t.Errorf("the same run gets %q, another %q (first %q)", again.Installation, other.Installation, tr.Installation)
	}
}
