package check_test

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
	"github.com/jitconsent/jitconsent/prompts"
)

var (
	refOnce sync.Once
	ref     *bundle.Bundle
	refErr  error
)

func reference(t *testing.T) (*engine.Engine, *check.Policy) {
	t.Helper()
	refOnce.Do(func() {
		p, err := prompts.Load([]string{"../../prompts/msxf"}, []string{"../../locales"})
		if err != nil {
			refErr = err
			return
		}
		ref, refErr = prompts.Compile(p)
	})
	if refErr != nil {
		t.Fatal(refErr)
	}
	e, err := engine.New(ref)
	if err != nil {
		t.Fatal(err)
	}
	return e, check.NewPolicy(ref)
}

// mutate wraps the engine: each answer goes through f, which may change
// it, as a broken engine would answer. f sees the request's event.
func mutate(e *engine.Engine, f func(ev map[string]any, resp map[string]any)) sim.Decide {
	return func(req []byte) ([]byte, error) {
		out := e.Decide(nil, req)
		var r struct{ Event map[string]any }
		json.Unmarshal(req, &r)
		var resp map[string]any
		if err := json.Unmarshal(out, &resp); err != nil || resp["error"] != nil {
			return out, nil
		}
		f(r.Event, resp)
		return json.Marshal(resp)
	}
}

func actions(resp map[string]any) []any { a, _ := resp["actions"].([]any); return a }

func action(typ, perm string) map[string]any {
	return map[string]any{"type": typ, "permission": perm, "platform_ids": []any{"x"}}
}

func enter(sc, st string) sim.Op { return sim.Op{Kind: sim.OpEnter, Scenario: sc, Step: st} }

var launch = sim.Op{Kind: sim.OpLaunch}

// mutation is a deliberately broken engine and a journey that shows it.
type mutation struct {
	rule    string
	profile string
	user    func() sim.User
	ops     []sim.Op
	broken  func(ev, resp map[string]any)
}

func yes() sim.User { return &sim.Scripted{} }

var mutations = []mutation{
	{
		rule: check.Preconsent, profile: "android-33", user: yes, ops: []sim.Op{launch},
		broken: func(ev, resp map[string]any) { // SDKs before consent
			if ev["type"] == "launch" {
				resp["sdks"] = []any{"jpush"}
			}
		},
	},
	{
		rule: check.BasicMode, profile: "android-33", user: func() sim.User { return &sim.Scripted{Policies: []bool{false, true}} },
		ops: []sim.Op{launch},
		broken: func(ev, resp map[string]any) { // the popup again right after a decline
			if ev["type"] == "policy_answer" && ev["accepted"] == false {
				resp["actions"] = []any{map[string]any{"type": "show_policy", "change": "first"}}
			}
		},
	},
	{
		rule: check.Reconsent, profile: "android-33", user: yes, ops: []sim.Op{launch},
		broken: func(ev, resp map[string]any) { // something before the policy popup
			if a := actions(resp); len(a) > 0 && a[0].(map[string]any)["type"] == "show_policy" {
				resp["actions"] = append([]any{map[string]any{"type": "basic_mode"}}, a...)
			}
		},
	},
	{
		rule: check.JIT, profile: "android-33", user: yes, ops: []sim.Op{launch, launch},
		broken: func(ev, resp map[string]any) { // a rationale at launch
			if ev["type"] == "launch" && len(actions(resp)) == 0 {
				resp["actions"] = []any{action("show_rationale", "camera")}
			}
		},
	},
	{
		rule: check.Rationale, profile: "android-33", user: yes, ops: []sim.Op{launch, enter("customer_service", "voice")},
		broken: func(ev, resp map[string]any) { // the dialog without its rationale
			for i, a := range actions(resp) {
				if m := a.(map[string]any); m["type"] == "show_rationale" {
					actions(resp)[i] = action("request_permission", m["permission"].(string))
				}
			}
		},
	},
	{
		rule: check.Platform, profile: "ios-17", user: yes, ops: []sim.Op{launch, enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) { // the call log on iOS
			for _, a := range actions(resp) {
				if m := a.(map[string]any); m["type"] == "show_rationale" && m["permission"] == "location" {
					m["permission"] = "call_log"
				}
			}
		},
	},
	{
		rule: check.Settings, profile: "ios-17",
		user: func() sim.User {
			return &sim.Scripted{PerDialog: map[string][]device.Choice{"camera": {device.Deny}}}
		},
		ops: []sim.Op{launch, enter("customer_service", "send_image"), enter("loan_apply", "liveness"), enter("loan_apply", "liveness")},
		broken: func(ev, resp map[string]any) { // a request where the OS shows no dialog
			for i, a := range actions(resp) {
				if m := a.(map[string]any); m["type"] == "open_settings" {
					actions(resp)[i] = action("request_permission", m["permission"].(string))
				}
			}
		},
	},
	{
		rule: check.Cooldown, profile: "android-33",
		user: func() sim.User { return &sim.Scripted{PerRationale: map[string][]bool{"call_log": {false}}} },
		ops:  []sim.Op{launch, enter("loan_apply", "apply"), enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) { // a refused optional permission asked again at once
			for i, a := range actions(resp) {
				if m := a.(map[string]any); m["type"] == "proceed" && ev["type"] == "enter" {
					if missing, _ := m["missing"].([]any); slices.Contains(missing, any("call_log")) {
						actions(resp)[i] = map[string]any{"type": "show_rationale", "permission": "call_log", "scenario": "loan_apply", "step": "apply"}
					}
				}
			}
		},
	},
	{
		rule: check.Degrade, profile: "android-33",
		user: func() sim.User { return &sim.Scripted{PerRationale: map[string][]bool{"call_log": {false}}} },
		ops:  []sim.Op{launch, enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) { // an optional refusal blocks the step
			for i, a := range actions(resp) {
				if m := a.(map[string]any); m["type"] == "proceed" {
					if missing, _ := m["missing"].([]any); len(missing) > 0 {
						actions(resp)[i] = map[string]any{"type": "block", "permission": missing[0], "scenario": m["scenario"], "step": m["step"]}
					}
				}
			}
		},
	},
	{
		rule: check.Separate, profile: "android-33", user: yes, ops: []sim.Op{launch, enter("loan_apply", "liveness")},
		broken: func(ev, resp map[string]any) { // biometrics without separate consent
			for _, a := range actions(resp) {
				if m := a.(map[string]any); m["type"] == "show_rationale" {
					m["separate_consent"] = false
				}
			}
		},
	},
	{
		rule: check.Withdraw, profile: "android-33", user: yes,
		ops: []sim.Op{launch, enter("loan_apply", "apply"), {Kind: sim.OpWithdraw, Permission: "location"}, launch},
		broken: func(ev, resp map[string]any) { // the map SDK goes on after location is withdrawn
			if ev["type"] == "withdraw" || ev["type"] == "launch" {
				if s, _ := resp["sdks"].([]any); len(s) > 0 && !slices.Contains(s, any("baidu_map")) {
					resp["sdks"] = append(s, "baidu_map")
				}
			}
		},
	},
	{
		rule: check.Contract, profile: "android-33", user: yes, ops: []sim.Op{launch},
		broken: func(ev, resp map[string]any) { // answers without receipts
			resp["receipts"] = []any{}
		},
	},
}

// TestMutations proves that each check can fail: every rule is caught on
// a deliberately broken engine, and the same journey on the real engine
// breaks no rule.
func TestMutations(t *testing.T) {
	e, policy := reference(t)
	caught := map[string]bool{}
	for _, m := range mutations {
		t.Run(m.rule, func(t *testing.T) {
			p, err := device.Lookup(m.profile)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
			real := sim.Run(func(req []byte) ([]byte, error) { return e.Decide(nil, req), nil }, device.NewAt(p, start), m.user(), "zh-CN", m.ops)
			if faults := check.Check(policy, real); len(faults) > 0 {
				t.Fatalf("the real engine breaks rules on this journey: %v", faults)
			}
			broken := sim.Run(mutate(e, m.broken), device.NewAt(p, start), m.user(), "zh-CN", m.ops)
			for _, f := range check.Check(policy, broken) {
				if f.Rule == m.rule {
					caught[m.rule] = true
					return
				}
			}
			t.Errorf("the broken engine is not caught by %s", m.rule)
		})
	}
	for _, r := range check.Rules() {
		if !caught[r] {
			t.Errorf("no mutation proves that %s can fail", r)
		}
	}
}
