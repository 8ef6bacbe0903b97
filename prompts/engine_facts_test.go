package prompts

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
)

// The devices the engine is run on: every platform, at the versions where
// the facts change.
var factDevices = []struct{ platform, version string }{
	{"android", "22"}, {"android", "25"}, {"android", "26"}, {"android", "28"}, {"android", "29"},
	{"android", "30"}, {"android", "31"}, {"android", "33"}, {"android", "34"},
	{"ios", "13.7"}, {"ios", "14.0"}, {"ios", "17.2"},
	{"harmonyos", "12"},
	{"wechat", "2.9.0"}, {"wechat", "3.0.0"},
	{"alipay", "10.5.0"},
	{"web", ""},
}

type engineAction struct {
	Type        string   `json:"type"`
	Permission  string   `json:"permission"`
	PlatformIDs []string `json:"platform_ids"`
	Sensitive   string   `json:"sensitive"`
	Purpose     string   `json:"purpose"`
}

type engineResponse struct {
	Actions []engineAction  `json:"actions"`
	State   json.RawMessage `json:"state"`
	Error   *struct {
		Code, Message, Field string
	} `json:"error"`
}

// journeyRequests runs the engine over every step of a bundle on a device,
// accepting every rationale and consent and granting every dialog and
// setting, and returns each request_permission it answered with.
func journeyRequests(t *testing.T, e *engine.Engine, b *bundle.Bundle, platform, version string) ([]engineAction, error) {
	t.Helper()
	var state json.RawMessage
	os := map[string]string{}
	var asked []engineAction
	send := func(event map[string]any) (engineResponse, error) {
		req := map[string]any{
			"now": "2026-03-01T10:00:00+08:00", "locale": "zh-CN",
			"device": map[string]string{"platform": platform, "version": version},
			"os":     os, "event": event,
		}
		if state != nil {
			req["state"] = state
		}
		data, err := json.Marshal(req)
		if err != nil {
			return engineResponse{}, err
		}
		var resp engineResponse
		if err := json.Unmarshal(e.Decide(nil, data), &resp); err != nil {
			return resp, err
		}
		if resp.Error != nil {
			return resp, fmt.Errorf("%v: %s %s", event, resp.Error.Code, resp.Error.Message)
		}
		state = resp.State
		return resp, nil
	}
	// answer plays the user: yes to everything, until the step is over.
	answer := func(resp engineResponse) error {
		for round := 0; round < 50; round++ {
			var next map[string]any
			for _, a := range resp.Actions {
				switch a.Type {
				case "show_rationale":
					next = map[string]any{"type": "rationale_answer", "permission": a.Permission, "accepted": true}
				case "show_consent":
					next = map[string]any{"type": "consent_answer", "sensitive": a.Sensitive, "purpose": a.Purpose, "accepted": true}
				case "request_permission":
					asked = append(asked, a)
					os[a.Permission] = "granted"
					next = map[string]any{"type": "permission_result", "permission": a.Permission, "result": "granted"}
				case "open_settings":
					os[a.Permission] = "granted"
					next = map[string]any{"type": "permission_result", "permission": a.Permission, "result": "granted"}
				case "show_policy":
					next = map[string]any{"type": "policy_answer", "accepted": true}
				}
			}
			if next == nil {
				return nil
			}
			var err error
			if resp, err = send(next); err != nil {
				return err
			}
		}
		return fmt.Errorf("%s %s: a step that never ends", platform, version)
	}
	resp, err := send(map[string]any{"type": "launch"})
	if err != nil {
		return nil, err
	}
	if err := answer(resp); err != nil {
		return nil, err
	}
	for _, sc := range b.Scenarios {
		for _, st := range sc.Steps {
			resp, err := send(map[string]any{"type": "enter", "scenario": sc.ID, "step": st.ID})
			if err != nil {
				return nil, err
			}
			if err := answer(resp); err != nil {
				return nil, err
			}
		}
	}
	return asked, nil
}

// TestEngineAsksOnlyWhatDialogsGrant runs the engine over the compiled
// reference bundle on every platform at the versions where the facts
// change, enters every step saying yes to everything, and fails when a
// request_permission names an identifier the facts call restricted,
// absent at that version, special or granted at install (issue 11: a
// special access goes through open_settings, a picker or an install-time
// permission asks nothing). It follows the SPEC for the engine;
// an engine that ignores access and grant fails it.
func TestEngineAsksOnlyWhatDialogsGrant(t *testing.T) {
	env, err := Marshal(compileReference(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.OpenUnsigned(env) // the bundle as every host reads it
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range factDevices {
		t.Run(d.platform+d.version, func(t *testing.T) {
			asked, err := journeyRequests(t, e, b, d.platform, d.version)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range asked {
				for _, id := range a.PlatformIDs {
					if why := impossibleID(d.platform, d.version, id); why != "" {
						t.Errorf("%s %s: request_permission %s asks %s: %s", d.platform, d.version, a.Permission, id, why)
					}
				}
			}
			if d.platform == "android" && atoi(d.version) >= 23 && len(asked) == 0 { // before 23 all is granted at install
				t.Error("no request_permission at all: the journey asked nothing")
			}
			var names []string
			for _, a := range asked {
				names = append(names, a.Permission+strings.Join(a.PlatformIDs, ","))
			}
			t.Logf("asked: %v", names)
		})
	}
}

// TestImpossibleID: the judgement the engine test relies on.
func TestImpossibleID(t *testing.T) {
	for _, c := range []struct {
		platform, version, id string
		ok                    bool
	}{
		{"android", "33", "android.permission.CAMERA", true},
		{"android", "32", "android.permission.POST_NOTIFICATIONS", false},
		{"android", "30", "android.permission.BLUETOOTH", false}, // install: no dialog
		{"android", "31", "android.permission.BLUETOOTH_CONNECT", true},
		{"android", "26", "android.permission.REQUEST_INSTALL_PACKAGES", false}, // special
		{"android", "33", "android.permission.READ_EXTERNAL_STORAGE", false},
		{"android", "30", "com.android.permission.GET_INSTALLED_APPS", true},
		{"android", "30", "android.permission.MOUNT_UNMOUNT_FILESYSTEMS", false},
		{"harmonyos", "12", "ohos.permission.READ_IMAGEVIDEO", false},
		{"harmonyos", "12", "ohos.permission.CAMERA", true},
		{"ios", "13.7", "NSUserTrackingUsageDescription", false},
		{"ios", "14.0", "NSUserTrackingUsageDescription", true},
		{"web", "", "camera", true},
		{"web", "", "contacts", false}, // unknown to the facts
	} {
		if got := impossibleID(c.platform, c.version, c.id) == ""; got != c.ok {
			t.Errorf("%s %s %s: possible %v, want %v (%s)", c.platform, c.version, c.id, got, c.ok, impossibleID(c.platform, c.version, c.id))
		}
	}
}
