package engine_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
)

// v1State is a state recorded from the engine before states had version
// 2 (testdata/v1: states the transcript of commit 6dfa7a1 returned).
type v1State struct {
	Device conformance.Device `json:"device"`
	Now    string             `json:"now"`
	State  json.RawMessage    `json:"state"`
}

func readV1(t *testing.T, name string) v1State {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "v1", name))
	if err != nil {
		t.Fatal(err)
	}
	var s v1State
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

type migrated struct {
	Actions []struct {
		Type, Permission, Sensitive, Purpose string
		SeparateConsent                      bool `json:"separate_consent"`
		SystemPrompt                         string
	}
	SDKs  []string
	State struct {
		V        int
		Accepted string
		Perms    map[string]struct{ Refused int64 }
		Consents map[string]struct {
			Given   bool
			Refused int64
		}
	}
	Trace []struct{ Rule, Detail string }
	Error *struct{ Code, Field string }
}

// TestUpgradeV1: a version 1 state is read and upgraded, keeping every
// consent and refusal it records; a separate consent moves to the one
// purpose a step asks it for with its permission, and where steps of
// different purposes could have asked it, it is asked again, traced.
func TestUpgradeV1(t *testing.T) {
	e := newEngine(t, "reference")
	cases := []struct {
		file, event string
		os          map[string]string
		// What the response must show.
		actions  []string // type[:permission or sensitive/purpose]
		given    []string // consents given in the state returned
		refused  []string // permissions whose refusal is kept
		traceHas []string // STATE details, in part
	}{
		{
			file: "android33_liveness_and_card.json", os: map[string]string{"camera": "granted"},
			event:    `{"type":"enter","scenario":"account_security","step":"liveness_supplement"}`,
			actions:  []string{"show_rationale:camera:biometrics/account_security"},
			given:    []string{"financial_account/card_binding"},
			refused:  []string{"photos"},
			traceHas: []string{"state version 1 upgraded", "biometrics given with camera under state version 1 could be for several purposes", "financial_account given with camera under state version 1 is the consent to financial_account/card_binding of loan_apply/bind_card"},
		},
		{
			file: "android33_liveness_and_card.json", os: map[string]string{"camera": "granted"},
			event:   `{"type":"enter","scenario":"loan_apply","step":"bind_card"}`,
			actions: []string{"proceed"}, // the card consent carried over, camera granted
			given:   []string{"financial_account/card_binding"},
			refused: []string{"photos"},
		},
		{
			file: "ios17.2_location_apply.json", os: map[string]string{"location": "granted"},
			event:    `{"type":"enter","scenario":"loan_apply","step":"apply"}`,
			actions:  []string{"proceed"},
			given:    []string{"precise_location/loan_risk"},
			traceHas: []string{"precise_location given with location under state version 1 is the consent to precise_location/loan_risk of loan_apply/apply"},
		},
		{
			file: "ios17.2_face_login.json", os: map[string]string{"face_id": "granted"},
			event:   `{"type":"enter","scenario":"register_login","step":"face_login"}`,
			actions: []string{"proceed"},
			given:   []string{"biometrics/biometric_login"},
		},
		{
			// Mid-step: version 1 waited on face_id's dialog; the step's
			// own consent now comes first and is carried over.
			file: "ios17.2_face_login_mid_request.json", os: map[string]string{"face_id": "granted"},
			event:   `{"type":"permission_result","permission":"face_id","result":"granted"}`,
			actions: []string{"proceed"},
			given:   []string{"biometrics/biometric_login"},
		},
		{
			// Mid-step, in a step with no consent of its own: the answer to
			// the rationale version 1 showed goes on.
			file:    "android33_apply_mid_rationale.json",
			event:   `{"type":"rationale_answer","permission":"location","accepted":true}`,
			actions: []string{"request_permission:location"},
			given:   []string{"precise_location/loan_risk"},
		},
		{
			// Mid-step where the step now asks a consent first that
			// version 1 never asked: the step starts again.
			file:     "harmonyos12_bind_card_mid_rationale.json",
			event:    `{"type":"enter","scenario":"loan_apply","step":"bind_card"}`,
			actions:  []string{"show_consent:financial_account/card_binding"},
			traceHas: []string{"the step in progress under state version 1 now asks a separate consent first: it is dropped"},
		},
		{
			file: "harmonyos12_bind_card.json", os: map[string]string{"camera": "granted"},
			event:   `{"type":"launch"}`,
			actions: []string{},
			given:   []string{"financial_account/card_binding"},
		},
	}
	for _, c := range cases {
		t.Run(c.file+" "+c.event, func(t *testing.T) {
			v := readV1(t, c.file)
			out := e.Decide(nil, conformance.Request(v.Now, "zh-CN", v.Device, c.os, v.State, []byte(c.event)))
			var r migrated
			if err := json.Unmarshal(out, &r); err != nil || r.Error != nil {
				t.Fatalf("%v %+v: %s", err, r.Error, out)
			}
			var got []string
			for _, a := range r.Actions {
				s := a.Type
				if a.Permission != "" {
					s += ":" + a.Permission
				}
				if a.Sensitive != "" {
					s += ":" + a.Sensitive + "/" + a.Purpose
				}
				got = append(got, s)
			}
			if !slices.Equal(got, c.actions) && !(len(got) == 0 && len(c.actions) == 0) {
				t.Errorf("actions: got %v, want %v", got, c.actions)
			}
			for _, a := range r.Actions {
				if a.Type == "show_policy" {
					t.Error("the policy is asked again although consent is on record")
				}
			}
			if r.State.V != 2 || r.State.Accepted != "2022-03-29" {
				t.Errorf("state v%d accepted %q: want v2 with the consent to the policy kept", r.State.V, r.State.Accepted)
			}
			var given []string
			for id, cs := range r.State.Consents {
				if cs.Given {
					given = append(given, id)
				}
			}
			slices.Sort(given)
			if !slices.Equal(given, c.given) {
				t.Errorf("consents given: got %v, want %v", given, c.given)
			}
			for _, p := range c.refused {
				if r.State.Perms[p].Refused == 0 {
					t.Errorf("the refusal of %s is lost", p)
				}
			}
			var trace []string
			for _, tr := range r.Trace {
				trace = append(trace, tr.Rule+": "+tr.Detail)
			}
			all := strings.Join(trace, "\n")
			if !strings.Contains(all, "STATE: state version 1 upgraded") {
				t.Errorf("no STATE entry says the state was upgraded:\n%s", all)
			}
			for _, want := range c.traceHas {
				if !strings.Contains(all, want) {
					t.Errorf("trace lacks %q:\n%s", want, all)
				}
			}
			if strings.Contains(all, "fresh install") {
				t.Errorf("a v1 state is read as a fresh install:\n%s", all)
			}
		})
	}
}

// TestUpgradeV1Tampered: a version 1 state is checked with version 1's
// integrity hash before it is upgraded; an edited one is a fresh install.
func TestUpgradeV1Tampered(t *testing.T) {
	e := newEngine(t, "reference")
	v := readV1(t, "ios17.2_location_apply.json")
	edited := strings.Replace(string(v.State), `"precise_location"`, `"biometrics"`, 1)
	out := e.Decide(nil, conformance.Request(v.Now, "zh-CN", v.Device, nil, json.RawMessage(edited), []byte(`{"type":"launch"}`)))
	var r migrated
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Actions) == 0 || r.Actions[0].Type != "show_policy" {
		t.Fatalf("an edited v1 state is trusted: %s", out)
	}
}

// TestUpgradeV1FirstScenario: a step in progress keeps its place in any
// scenario, the policy's first included (the reference policy's first
// scenario asks no consent, so its scenarios are reordered here).
func TestUpgradeV1FirstScenario(t *testing.T) {
	b := *compiled(t, "reference")
	b.Scenarios = slices.Clone(b.Scenarios)
	i := slices.IndexFunc(b.Scenarios, func(s bundle.Scenario) bool { return s.ID == "register_login" })
	b.Scenarios[0], b.Scenarios[i] = b.Scenarios[i], b.Scenarios[0]
	e, err := engine.New(&b)
	if err != nil {
		t.Fatal(err)
	}
	v := readV1(t, "ios17.2_face_login_mid_request.json")
	out := e.Decide(nil, conformance.Request(v.Now, "zh-CN", v.Device, map[string]string{"face_id": "granted"}, v.State,
		[]byte(`{"type":"permission_result","permission":"face_id","result":"granted"}`)))
	var r migrated
	if err := json.Unmarshal(out, &r); err != nil || r.Error != nil || len(r.Actions) != 1 || r.Actions[0].Type != "proceed" {
		t.Fatalf("the v1 step in progress in the first scenario does not go on: %s", out)
	}
}
