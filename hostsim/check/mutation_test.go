package check_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
	"github.com/jitconsent/jitconsent/hostsim/check"
	"github.com/jitconsent/jitconsent/hostsim/device"
	"github.com/jitconsent/jitconsent/hostsim/sim"
	"github.com/jitconsent/jitconsent/ledger"
	"github.com/jitconsent/jitconsent/prompts/prompttest"
)

// engines are the native engines of prompttest's bundles by name, and the
// checks' policy: the reference bundle, with the others as the updates an
// update op may load.
func engines(t *testing.T) (map[string]*engine.Engine, *check.Policy) {
	t.Helper()
	bundles := prompttest.Must(t).Bundles
	out := map[string]*engine.Engine{}
	updates := map[string]*bundle.Bundle{}
	for name, b := range bundles {
		e, err := engine.New(b)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = e
		if name != "reference" {
			updates[name] = b
		}
	}
	return out, check.NewPolicy(bundles["reference"]).WithUpdates(updates)
}

// run is the engine of one run: the reference engine until an update op
// loads another, each answer passed through broken (nil: as the engine
// wrote it).
func run(engines map[string]*engine.Engine, broken func(ev, resp map[string]any)) sim.Engine {
	cur := engines["reference"]
	decide := func(req []byte) []byte { return cur.Decide(nil, req) }
	e := sim.Engine{
		Decide: func(req []byte) ([]byte, error) { return decide(req), nil },
		Load: func(name string) error {
			if engines[name] == nil {
				return fmt.Errorf("no bundle %q", name)
			}
			cur = engines[name]
			return nil
		},
	}
	if broken != nil {
		e.Decide = mutate(decide, broken)
	}
	return e
}

// mutate wraps the engine: each answer goes through f, which may change
// it, as a broken engine would answer. f sees the request's event, with
// the request's now as "_now" (a time.Time). The receipts and the state
// pass as the engine wrote them (resp["receipts"] is a
// []json.RawMessage), so that a mutant breaks only what it changes.
func mutate(decide func([]byte) []byte, f func(ev map[string]any, resp map[string]any)) sim.Decide {
	return func(req []byte) ([]byte, error) {
		out := decide(req)
		var r struct {
			Now   time.Time
			Event map[string]any
		}
		json.Unmarshal(req, &r)
		r.Event["_now"] = r.Now
		var resp map[string]any
		if err := json.Unmarshal(out, &resp); err != nil || resp["error"] != nil {
			return out, nil
		}
		var raw struct {
			State    json.RawMessage
			Receipts []json.RawMessage
		}
		json.Unmarshal(out, &raw)
		resp["state"], resp["receipts"] = raw.State, raw.Receipts
		f(r.Event, resp)
		return json.Marshal(resp)
	}
}

func actions(resp map[string]any) []any { a, _ := resp["actions"].([]any); return a }

// find returns the first action of a type (and, if perm is not "", of
// that permission), or nil.
func find(resp map[string]any, typ, perm string) map[string]any {
	for _, a := range actions(resp) {
		if m := a.(map[string]any); m["type"] == typ && (perm == "" || m["permission"] == perm) {
			return m
		}
	}
	return nil
}

// since is how long after the journeys' start the request was made.
func since(ev map[string]any) time.Duration { return ev["_now"].(time.Time).Sub(start) }

func entered(ev map[string]any, step string) bool {
	return ev["type"] == "enter" && ev["scenario"].(string)+"/"+ev["step"].(string) == step
}

// receipt returns a receipt of the given members, numbered and chained
// after the response's last receipt and hashed as the contract says
// (seal), as a broken engine would add it.
func receipt(resp map[string]any, members ...string) json.RawMessage {
	m := map[string]any{"v": 2, "platform": "android", "locale": "zh-CN", "time": "2026-03-01T10:00:00+08:00"}
	for i := 0; i < len(members); i += 2 {
		m[members[i]] = members[i+1]
	}
	m["prev"], m["seq"] = "", 1
	if rs, _ := resp["receipts"].([]json.RawMessage); len(rs) > 0 {
		var last struct {
			Hash string
			Seq  int
		}
		json.Unmarshal(rs[len(rs)-1], &last)
		m["prev"], m["seq"] = last.Hash, last.Seq+1
	}
	return seal(m)
}

// seal hashes a receipt's members as the contract says (its canonical
// JSON without hash and id) and returns it with its hash and id.
func seal(m map[string]any) json.RawMessage {
	delete(m, "hash")
	delete(m, "id")
	body, _ := ledger.Canonical(m)
	sum := sha256.Sum256(body)
	m["hash"] = hex.EncodeToString(sum[:])
	m["id"], _ = ledger.IDFromHash(m["hash"].(string))
	out, _ := json.Marshal(m)
	return out
}

func addSDK(resp map[string]any, id string) {
	if s, _ := resp["sdks"].([]any); !slices.Contains(s, any(id)) {
		resp["sdks"] = append(s, id)
	}
}

func action(typ, perm string) map[string]any {
	return map[string]any{"type": typ, "permission": perm, "platform_ids": []any{"x"}}
}

func enter(sc, st string) sim.Op { return sim.Op{Kind: sim.OpEnter, Scenario: sc, Step: st} }

// update loads one of prompttest's update bundles, at once or while a
// screen of the next op waits.
func update(bundle, while string) sim.Op {
	return sim.Op{Kind: sim.OpUpdate, Bundle: bundle, While: while}
}

// rewriteReceipt changes, in the first receipt of a kind, old into new and
// hashes the receipt again, as a broken engine would write it (the
// receipt after it no longer chains to it: that is another fault).
func rewriteReceipt(resp map[string]any, kind, old, new string) {
	rs, _ := resp["receipts"].([]json.RawMessage)
	for i, raw := range rs {
		var r struct{ Kind string }
		if json.Unmarshal(raw, &r) != nil || r.Kind != kind {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(bytes.Replace(raw, []byte(old), []byte(new), 1)))
		dec.UseNumber()
		var m map[string]any
		if dec.Decode(&m) != nil {
			panic(fmt.Sprintf("rewriteReceipt: %q into %q breaks the receipt", old, new))
		}
		rs[i] = seal(m)
		return
	}
}

var launch = sim.Op{Kind: sim.OpLaunch}

func settingsOn(perm string) sim.Op { return sim.Op{Kind: sim.OpSettings, Permission: perm, On: true} }

// start is when the journeys start.
var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// mutation is a deliberately broken engine and a journey that shows it,
// on one device profile or several (issue 10's clauses: Android 33 and
// another platform family).
type mutation struct {
	rule     string
	clause   string // what the mutant breaks, for the test's name
	why      string // if not "", the fault's detail must contain it: the clause's own words
	profile  string
	profiles []string
	user     func() sim.User
	prior    func(t *testing.T) *sim.Prior // the record the app holds at the start (nil: a fresh install)
	ops      []sim.Op
	broken   func(ev, resp map[string]any)
}

func yes() sim.User { return &sim.Scripted{} }

func declines(k string) func() sim.User {
	return func() sim.User { return &sim.Scripted{PerConsent: map[string][]bool{k: {false}}} }
}

// refusesCamera refuses the camera once: on its rationale where it has a
// decline button, in the system dialog on iOS, whose screen has one.
func refusesCamera() sim.User {
	return &sim.Scripted{PerRationale: map[string][]bool{"camera": {false, true}}, PerDialog: map[string][]device.Choice{"camera": {device.Deny, device.Allow}}}
}

// setIDs gives a request of a permission other identifiers.
func setIDs(resp map[string]any, perm string, ids ...any) {
	if m := find(resp, "request_permission", perm); m != nil {
		m["platform_ids"] = ids
	}
}

func declinesRationale(perm string, answers ...bool) func() sim.User {
	return func() sim.User { return &sim.Scripted{PerRationale: map[string][]bool{perm: answers}} }
}

// v1Record is a state of the engine before issue 10 (hostsim/testdata/states)
// and what is on record in it after the migration the issue asks for.
func v1Record(t *testing.T) *sim.Prior {
	data, err := os.ReadFile("../testdata/states/v1_apply_liveness.json")
	if err != nil {
		t.Fatal(err)
	}
	return &sim.Prior{State: bytes.TrimSpace(data), Policy: true, Consents: []string{"precise_location/loan_risk"}}
}

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
				if m := a.(map[string]any); m["type"] == "open_settings" && m["permission"] == "camera" {
					actions(resp)[i] = map[string]any{"type": "request_permission", "permission": "camera", "platform_ids": []any{"NSCameraUsageDescription"}}
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
		rule: check.Separate, clause: "a rationale that does not ask its separate consent", profiles: []string{"android-33", "harmonyos-next"},
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "liveness")},
		broken: func(ev, resp map[string]any) { // biometrics without separate consent
			if m := find(resp, "show_rationale", "camera"); m != nil {
				delete(m, "sensitive")
				delete(m, "purpose")
				delete(m, "separate_consent")
			}
		},
	},
	{
		rule: check.Separate, clause: "a separate consent carried over to another purpose", profiles: []string{"android-33", "harmonyos-next"},
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "liveness"), enter("account_security", "liveness_supplement")},
		broken: func(ev, resp map[string]any) { // biometrics for the loan used for account security
			if entered(ev, "account_security/liveness_supplement") && find(resp, "show_rationale", "camera") != nil {
				resp["actions"] = []any{map[string]any{"type": "proceed", "scenario": "account_security", "step": "liveness_supplement"}}
			}
		},
	},
	{
		rule: check.Separate, clause: "an OS grant taken for separate consent", profiles: []string{"android-22", "harmonyos-next"},
		user: yes, ops: []sim.Op{settingsOn("location"), launch, enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) { // precise location on the OS's grant alone
			if entered(ev, "loan_apply/apply") {
				resp["actions"] = []any{map[string]any{"type": "proceed", "scenario": "loan_apply", "step": "apply"}}
			}
		},
	},
	{
		rule: check.Separate, clause: "a rationale that asks the consent of another purpose", profiles: []string{"ios-17", "android-33"},
		user: yes, ops: []sim.Op{launch, enter("account_security", "liveness_supplement")},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "show_rationale", "camera"); m != nil {
				m["purpose"] = "loan_identity"
			}
		},
	},
	{
		rule: check.Separate, clause: "declining the camera recorded as declining the card data", profiles: []string{"android-33", "wechat"},
		user: declinesRationale("camera", false), ops: []sim.Op{launch, enter("loan_apply", "bind_card")},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "proceed", ""); m != nil && ev["type"] == "rationale_answer" {
				m["missing_consents"] = []any{"financial_account/card_binding"}
			}
		},
	},
	{
		rule: check.Separate, clause: "a receipt of a consent the user was not asked", profiles: []string{"android-33", "harmonyos-next"},
		user: declinesRationale("camera", false), ops: []sim.Op{launch, enter("loan_apply", "bind_card")},
		broken: func(ev, resp map[string]any) {
			if ev["type"] == "rationale_answer" && ev["accepted"] == false {
				rs, _ := resp["receipts"].([]json.RawMessage)
				resp["receipts"] = append(rs, receipt(resp, "kind", "consent", "policy", "msxf", "version", "2022-03-29",
					"sensitive", "financial_account", "purpose", "card_binding", "scenario", "loan_apply", "step", "bind_card", "answer", "declined"))
			}
		},
	},
	{
		rule: check.Separate, clause: "a consent on record asked again after migration", profiles: []string{"android-33", "ios-17"},
		user: yes, prior: v1Record, ops: []sim.Op{settingsOn("location"), launch, enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) {
			if entered(ev, "loan_apply/apply") {
				resp["actions"] = append([]any{map[string]any{"type": "show_consent", "sensitive": "precise_location", "purpose": "loan_risk",
					"scenario": "loan_apply", "step": "apply"}}, actions(resp)...)
			}
		},
	},
	{
		rule: check.Reconsent, clause: "the policy asked again after migration", profiles: []string{"android-33", "ios-17"},
		user: yes, prior: v1Record, ops: []sim.Op{launch},
		broken: func(ev, resp map[string]any) {
			if ev["type"] == "launch" {
				resp["actions"] = []any{map[string]any{"type": "show_policy", "change": "first"}}
			}
		},
	},
	{
		rule: check.SDK, clause: "the map SDK on an OS grant, outside its scenario, before its separate consent", profiles: []string{"android-33", "ios-17"},
		user: yes, ops: []sim.Op{settingsOn("location"), launch},
		broken: func(ev, resp map[string]any) {
			if s, _ := resp["sdks"].([]any); len(s) > 0 {
				addSDK(resp, "baidu_map")
			}
		},
	},
	{
		rule: check.SDK, clause: "the map SDK after its separate consent is declined", profiles: []string{"android-22", "ios-17"},
		user: declines("precise_location/loan_risk"), ops: []sim.Op{settingsOn("location"), launch, enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) {
			if s, _ := resp["sdks"].([]any); len(s) > 0 && ev["type"] != "launch" && ev["type"] != "policy_answer" {
				addSDK(resp, "baidu_map")
			}
		},
	},
	{
		rule: check.SDK, clause: "optional location let to a push SDK without its separate consent", profiles: []string{"android-33", "ios-17"},
		user: yes, ops: []sim.Op{settingsOn("location"), launch, enter("marketing", "notifications")},
		broken: func(ev, resp map[string]any) {
			if d, _ := resp["sdk_data"].(map[string]any); d != nil {
				if _, ok := d["jpush"]; ok {
					d["jpush"] = []any{"location"}
				}
			}
		},
	},
	{
		rule: check.Withdraw, clause: "push SDKs on after notifications are withdrawn", profiles: []string{"android-33", "ios-17"},
		user: yes, ops: []sim.Op{launch, enter("marketing", "notifications"), {Kind: sim.OpWithdraw, Permission: "notifications"}, launch},
		broken: func(ev, resp map[string]any) {
			if ev["type"] == "withdraw" || ev["type"] == "launch" {
				if s, _ := resp["sdks"].([]any); len(s) > 0 {
					addSDK(resp, "jpush")
				}
			}
		},
	},
	{
		rule: check.Withdraw, clause: "a withdrawn consent not asked again", profiles: []string{"android-33", "wechat"},
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "bind_card"), {Kind: sim.OpWait, Wait: time.Hour},
			{Kind: sim.OpWithdraw, Sensitive: "financial_account", Purpose: "card_binding"}, enter("loan_apply", "bind_card")},
		broken: func(ev, resp map[string]any) {
			if entered(ev, "loan_apply/bind_card") && since(ev) > 0 && find(resp, "show_consent", "") != nil {
				resp["actions"] = []any{map[string]any{"type": "proceed", "scenario": "loan_apply", "step": "bind_card"}}
			}
		},
	},
	{
		rule: check.Withdraw, clause: "the consents of a withdrawn permission's rationale kept", profiles: []string{"android-33", "ios-17"},
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "liveness"), {Kind: sim.OpWithdraw, Permission: "camera"},
			enter("loan_apply", "id_verify"), {Kind: sim.OpWait, Wait: time.Hour}, enter("loan_apply", "liveness")},
		broken: func(ev, resp map[string]any) { // the biometrics consent survives the camera's withdrawal
			// (asked on the camera's rationale, or on iOS on its own screen naming the camera)
			if entered(ev, "loan_apply/liveness") && since(ev) > 0 && (find(resp, "show_rationale", "camera") != nil || find(resp, "show_consent", "camera") != nil) {
				resp["actions"] = []any{map[string]any{"type": "proceed", "scenario": "loan_apply", "step": "liveness"}}
			}
		},
	},
	{
		rule: check.Degrade, clause: "a fallback step that does not say how it goes on", profiles: []string{"android-33", "harmonyos-next"},
		user: declinesRationale("camera", false), ops: []sim.Op{launch, enter("loan_apply", "bind_card")},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "proceed", ""); m != nil {
				m["fallbacks"] = []any{}
			}
		},
	},
	{
		rule: check.Degrade, clause: "a declined blocking consent that does not block", profiles: []string{"android-33", "ios-17"},
		user: declines("financial_account/card_binding"), ops: []sim.Op{launch, enter("loan_apply", "bind_card")},
		broken: func(ev, resp map[string]any) {
			for i, a := range actions(resp) {
				if m := a.(map[string]any); m["type"] == "block" && m["sensitive"] == "financial_account" {
					actions(resp)[i] = map[string]any{"type": "proceed", "scenario": "loan_apply", "step": "bind_card"}
				}
			}
		},
	},
	{
		rule: check.Degrade, clause: "declining the camera stops card binding", profiles: []string{"android-33", "harmonyos-next"},
		user: declinesRationale("camera", false), ops: []sim.Op{launch, enter("loan_apply", "bind_card")},
		broken: func(ev, resp map[string]any) {
			for i, a := range actions(resp) {
				if m := a.(map[string]any); m["type"] == "proceed" {
					actions(resp)[i] = map[string]any{"type": "block", "sensitive": "financial_account", "purpose": "card_binding", "scenario": "loan_apply", "step": "bind_card"}
				}
			}
		},
	},
	{
		rule: check.Platform, clause: "biometric login without the platform's prompt", profiles: []string{"android-33", "harmonyos-next", "ios-17", "wechat"},
		user: yes, ops: []sim.Op{launch, enter("register_login", "face_login")},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "proceed", ""); m != nil {
				delete(m, "system_prompt")
			}
		},
	},
	{
		rule: check.Platform, clause: "biometric login where the platform has none", profiles: []string{"web", "alipay"},
		user: yes, ops: []sim.Op{launch, enter("register_login", "face_login")},
		broken: func(ev, resp map[string]any) {
			for i, a := range actions(resp) {
				if m := a.(map[string]any); m["type"] == "unavailable" {
					actions(resp)[i] = map[string]any{"type": "proceed", "scenario": "register_login", "step": "face_login"}
				}
			}
		},
	},
	{
		rule: check.Cooldown, clause: "a refusal stamped by a clock 30 days ahead outlives the cooldown", profiles: []string{"android-33", "ios-17"},
		user: refusesCamera, // on its rationale, or on iOS in the system dialog
		ops: []sim.Op{launch, {Kind: sim.OpClock, Offset: 720 * time.Hour}, enter("loan_apply", "supplement_upload"), {Kind: sim.OpClock},
			enter("loan_apply", "supplement_upload"), {Kind: sim.OpWait, Wait: 49 * time.Hour}, enter("loan_apply", "supplement_upload")},
		broken: func(ev, resp map[string]any) { // still suppressed 49 hours after the clock is right
			if d := since(ev); d > 48*time.Hour && d < 100*time.Hour && find(resp, "show_rationale", "camera") != nil {
				resp["actions"] = []any{map[string]any{"type": "proceed", "scenario": "loan_apply", "step": "supplement_upload", "missing": []any{"camera"}}}
			}
		},
	},
	{
		rule: check.Contract, clause: "a screen whose words are not the policy's", profiles: []string{"android-33", "ios-17"},
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "liveness"), enter("loan_apply", "bind_card")},
		broken: func(ev, resp map[string]any) { // the separate-consent line dropped, a button reworded
			for _, a := range actions(resp) {
				m := a.(map[string]any)
				switch m["type"] {
				case "show_rationale":
					if b, _ := m["body"].(string); strings.Contains(b, "\n") {
						m["body"] = b[:strings.Index(b, "\n")]
					}
				case "show_consent":
					m["accept"] = "OK"
				}
			}
		},
	},
	{
		rule: check.Contract, clause: "a consent answer without its receipt", profiles: []string{"android-33", "harmonyos-next"},
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "bind_card")},
		broken: func(ev, resp map[string]any) {
			if ev["type"] == "consent_answer" {
				resp["receipts"] = []any{}
			}
		},
	},
	// Issue 11: access levels, pickers, special accesses, identifiers, and
	// iOS's one-button pre-permission screens.
	{
		rule: check.Platform, clause: "saving asks more than add-only access", why: "more than add access needs", profiles: []string{"ios-17", "android-23"},
		user: yes, ops: []sim.Op{launch, enter("browse", "save_image")},
		broken: func(ev, resp map[string]any) { // the whole library, or reading the storage
			setIDs(resp, "photos", "NSPhotoLibraryUsageDescription", "NSPhotoLibraryAddUsageDescription")
			setIDs(resp, "storage", "android.permission.READ_EXTERNAL_STORAGE", "android.permission.WRITE_EXTERNAL_STORAGE")
		},
	},
	{
		rule: check.Platform, clause: "a permission explained where the picker serves", why: "which needs picker access", profiles: []string{"android-33", "ios-17", "wechat"},
		user: yes, ops: []sim.Op{launch, enter("customer_service", "send_image")},
		broken: func(ev, resp map[string]any) { // the album permission instead of the picker
			if m := find(resp, "proceed", ""); m != nil && m["system_apis"] != nil {
				resp["actions"] = []any{map[string]any{"type": "show_rationale", "permission": "photos", "scenario": "customer_service", "step": "send_image", "decline": "暂不授权"}}
			}
		},
	},
	{
		rule: check.Platform, clause: "a picker the device lacks", why: "PHPickerViewController for photos (picker), which ios 13.7 does not have: UIImagePickerController serves it there", profile: "ios-13",
		user: yes, ops: []sim.Op{launch, enter("customer_service", "send_image")},
		broken: func(ev, resp map[string]any) { // PHPickerViewController before iOS 14
			if m := find(resp, "proceed", ""); m != nil {
				m["system_apis"] = []any{map[string]any{"permission": "photos", "access": "picker", "api": "PHPickerViewController"}}
			}
		},
	},
	{
		rule: check.Platform, clause: "a step that goes on without naming its picker", why: "goes on without naming the system API for contacts (picker access)", profiles: []string{"android-29", "alipay"},
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "emergency_contacts")},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "proceed", ""); m != nil {
				delete(m, "system_apis")
			}
		},
	},
	{
		rule: check.Platform, clause: "a signature permission in a request", why: "MOUNT_UNMOUNT_FILESYSTEMS, a restricted permission", profile: "android-31",
		user: yes, ops: []sim.Op{launch, enter("register_login", "register")},
		broken: func(ev, resp map[string]any) {
			setIDs(resp, "storage", "android.permission.READ_EXTERNAL_STORAGE", "android.permission.MOUNT_UNMOUNT_FILESYSTEMS")
		},
	},
	{
		rule: check.Platform, clause: "an ACL permission asked on HarmonyOS", why: "ohos.permission.READ_CONTACTS, a restricted permission", profile: "harmonyos-next",
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "emergency_contacts")},
		broken: func(ev, resp map[string]any) { // the contacts read in full instead of picked
			if m := find(resp, "proceed", ""); m != nil && ev["type"] == "enter" {
				resp["actions"] = []any{map[string]any{"type": "request_permission", "permission": "contacts", "platform_ids": []any{"ohos.permission.READ_CONTACTS"}}}
			}
		},
	},
	{
		rule: check.Platform, clause: "an identifier the version no longer has", why: "android.permission.BLUETOOTH, which android 31 does not have: it exists up to 30", profile: "android-31",
		user: yes, ops: []sim.Op{launch, enter("register_login", "register")},
		broken: func(ev, resp map[string]any) { // BLUETOOTH ended with Android 11
			setIDs(resp, "bluetooth", "android.permission.BLUETOOTH")
		},
	},
	{
		rule: check.Platform, clause: "a rationale for a permission granted at install", why: "show_rationale bluetooth: android 30 grants it at install", profile: "android-30",
		user: yes, ops: []sim.Op{launch, enter("register_login", "register")},
		broken: func(ev, resp map[string]any) { // Bluetooth up to Android 11
			if m := find(resp, "show_rationale", "storage"); m != nil {
				m["permission"] = "bluetooth"
			}
		},
	},
	{
		rule: check.Settings, clause: "a special access requested in a dialog", why: "a special access, which android", profiles: []string{"android-26", "android-34"},
		user: yes, ops: []sim.Op{launch, enter("app_update", "install")},
		broken: func(ev, resp map[string]any) {
			for i, a := range actions(resp) {
				if m := a.(map[string]any); m["type"] == "open_settings" {
					actions(resp)[i] = map[string]any{"type": "request_permission", "permission": "install_packages", "platform_ids": []any{"android.permission.REQUEST_INSTALL_PACKAGES"}}
				}
			}
		},
	},
	{
		rule: check.Settings, clause: "a special access sent to the other page", why: "the only page where android", profiles: []string{"android-25", "android-26"},
		user: yes, ops: []sim.Op{launch, enter("app_update", "install")},
		broken: func(ev, resp map[string]any) { // unknown sources and the per-app page swapped
			if m := find(resp, "open_settings", "install_packages"); m != nil {
				m["settings"] = map[any]string{"android.settings.SECURITY_SETTINGS": "android.settings.MANAGE_UNKNOWN_APP_SOURCES",
					"android.settings.MANAGE_UNKNOWN_APP_SOURCES": "android.settings.SECURITY_SETTINGS"}[m["settings"]]
			}
		},
	},
	{
		rule: check.Rationale, clause: "a decline button on an iOS pre-permission screen", why: "on iOS has a decline button", profile: "ios-17",
		user: yes, ops: []sim.Op{launch, enter("customer_service", "voice")},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "show_rationale", "microphone"); m != nil {
				m["decline"] = "暂不授权"
			}
		},
	},
	{
		rule: check.Rationale, clause: "a rationale elsewhere without a decline button", why: "has no decline button", profiles: []string{"android-33", "wechat"},
		user: yes, ops: []sim.Op{launch, enter("customer_service", "voice")},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "show_rationale", "microphone"); m != nil {
				m["decline"] = ""
			}
		},
	},
	{
		rule: check.Separate, clause: "an iOS one-button screen that carries the separate consent", why: "on iOS asks for separate consent to biometrics/loan_identity", profile: "ios-17",
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "liveness")},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "show_rationale", "camera"); m != nil {
				m["sensitive"], m["purpose"], m["separate_consent"] = "biometrics", "loan_identity", true
			}
		},
	},
	{
		rule: check.Separate, clause: "an iOS one-button screen before the separate consent", why: "comes before the separate consent biometrics/loan_identity was given on its own screen", profile: "ios-17",
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "liveness")},
		broken: func(ev, resp map[string]any) { // the consent screen skipped
			for i, a := range actions(resp) {
				if m := a.(map[string]any); m["type"] == "show_consent" && m["permission"] == "camera" {
					actions(resp)[i] = map[string]any{"type": "show_rationale", "permission": "camera", "scenario": "loan_apply", "step": "liveness", "decline": ""}
				}
			}
		},
	},
	{
		rule: check.Separate, clause: "a consent screen naming a permission its consent does not come with", why: "names the permission microphone, which the step's consent does not come with", profile: "ios-17",
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "liveness")},
		broken: func(ev, resp map[string]any) {
			for _, a := range actions(resp) {
				if m := a.(map[string]any); m["type"] == "show_consent" && m["permission"] == "camera" {
					m["permission"] = "microphone"
				}
			}
		},
	},
	{
		// The step's consent, given on its own screen in an earlier visit,
		// is what the permission receipt names when the step comes back
		// (fuzz seed 81970), not the consent another step gave with the
		// same permission in between.
		rule: check.Separate, clause: "a permission receipt naming another step's consent", why: "a permission receipt records biometrics/loan_identity granted", profile: "ios-17",
		user: func() sim.User {
			return &sim.Scripted{Dialogs: []device.Choice{device.DenyForever}, Switches: []bool{false, true}}
		},
		ops: []sim.Op{launch, enter("account_security", "liveness_supplement"), enter("loan_apply", "liveness"), enter("account_security", "liveness_supplement")},
		broken: func(ev, resp map[string]any) {
			if ev["type"] == "permission_result" && ev["result"] == "granted" {
				rewriteReceipt(resp, "permission", `"purpose":"account_security"`, `"purpose":"loan_identity"`)
			}
		},
	},
	// Issue 12: policy updates, a choice on every revision, updates first,
	// receipts that name the version and hash the text the user saw.
	{
		rule: check.Reconsent, clause: "a minor update popup with only an agree button", why: "offers no choice", profiles: []string{"android-33", "ios-17"},
		user: yes, ops: []sim.Op{launch, update("minor", ""), launch},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "show_policy", ""); m != nil && m["change"] == "minor" {
				m["decline"] = ""
			}
		},
	},
	{
		rule: check.Reconsent, clause: "a minor update labelled major", why: "the policy's history makes it minor", profile: "android-33",
		user: yes, ops: []sim.Op{launch, update("minor", ""), launch},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "show_policy", ""); m != nil && m["change"] == "minor" {
				m["change"], m["blocking"] = "major", true
			}
		},
	},
	{
		rule: check.Reconsent, clause: "a major update labelled minor", why: "the policy's history makes it major", profile: "harmonyos-next",
		user: yes, ops: []sim.Op{launch, update("revision", ""), launch},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "show_policy", ""); m != nil && m["change"] == "major" {
				m["change"], m["blocking"] = "minor", false
			}
		},
	},
	{
		rule: check.Reconsent, clause: "a minor update that blocks", why: "a minor policy popup with blocking true", profile: "android-33",
		user: yes, ops: []sim.Op{launch, update("minor", ""), launch},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "show_policy", ""); m != nil && m["change"] == "minor" {
				m["blocking"] = true
			}
		},
	},
	{
		rule: check.Reconsent, clause: "the popup of an update names the version before it", why: "the bundle in force is 2023-09-01", profile: "ios-17",
		user: yes, ops: []sim.Op{launch, update("minor", ""), launch},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "show_policy", ""); m != nil && m["change"] == "minor" {
				m["version"] = "2022-03-29"
			}
		},
	},
	{
		rule: check.Contract, clause: "an update popup with no line of what changed", why: "show_policy in no step shows", profile: "android-33",
		user: yes, ops: []sim.Op{launch, update("revision", ""), launch},
		broken: func(ev, resp map[string]any) { // the "主要变化如下：" with an empty list
			if m := find(resp, "show_policy", ""); m != nil && m["change"] == "major" {
				m["changes"] = []any{}
			}
		},
	},
	{
		rule: check.Contract, clause: "a step in the words of the version before the update", why: "show_rationale in loan_apply/apply shows", profiles: []string{"android-33", "web"},
		user: yes, ops: []sim.Op{launch, update("revision", ""), enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) { // location's purpose as 2022-03-29 gave it
			if m := find(resp, "show_rationale", "location"); m != nil {
				c, _ := prompttest.Load()
				old := c.Bundles["reference"].Text("zh-CN", "purpose.loan_apply.apply.location")
				body, _ := m["body"].(string)
				if i := strings.Index(body, "\n"); i >= 0 {
					old += body[i:]
				}
				m["body"] = old
			}
		},
	},
	{
		rule: check.BasicMode, clause: "a declined minor update leads to basic mode", why: "basic mode after the user declined the minor update", profiles: []string{"android-33", "ios-17"},
		user: func() sim.User { return &sim.Scripted{Policies: []bool{true, false}} }, ops: []sim.Op{launch, enter("marketing", "notifications"), update("minor", ""), launch},
		broken: func(ev, resp map[string]any) {
			if ev["type"] == "policy_answer" && ev["accepted"] == false {
				resp["actions"], resp["sdks"] = []any{map[string]any{"type": "basic_mode"}}, []any{}
			}
		},
	},
	{
		rule: check.BasicMode, clause: "a declined minor update stops the SDKs", why: "stops when the user declines the minor update", profiles: []string{"android-33", "ios-17"},
		user: func() sim.User { return &sim.Scripted{Policies: []bool{true, false}} }, ops: []sim.Op{launch, enter("marketing", "notifications"), update("minor", ""), launch},
		broken: func(ev, resp map[string]any) {
			if ev["type"] == "policy_answer" && ev["accepted"] == false {
				resp["sdks"] = []any{}
			}
		},
	},
	{
		rule: check.Reconsent, clause: "an SDK the declined minor update adds runs", why: "which version 2023-09-01 adds", profiles: []string{"android-33", "ios-17"},
		user: func() sim.User { return &sim.Scripted{Policies: []bool{true, false}} }, ops: []sim.Op{launch, enter("marketing", "notifications"), update("minor", ""), launch},
		broken: func(ev, resp map[string]any) {
			if s, _ := resp["sdks"].([]any); slices.Contains(s, any("jpush")) {
				addSDK(resp, "getui_push")
			}
		},
	},
	{
		rule: check.Reconsent, clause: "SDKs run while a major update waits", why: "runs while the major update to 2023-09-01 waits", profiles: []string{"android-33", "wechat"},
		user: yes, ops: []sim.Op{launch, update("revision", ""), launch},
		broken: func(ev, resp map[string]any) {
			if m := find(resp, "show_policy", ""); m != nil && m["change"] == "major" {
				addSDK(resp, "umeng_analytics")
			}
		},
	},
	{
		rule: check.Reconsent, clause: "a declined minor update not offered at the next launch", why: "launch does not begin with the popup of policy 2023-09-01", profiles: []string{"android-33", "harmonyos-next"},
		user: func() sim.User { return &sim.Scripted{Policies: []bool{true, false}} },
		ops:  []sim.Op{launch, update("minor", ""), launch, {Kind: sim.OpWait, Wait: time.Hour}, launch},
		broken: func(ev, resp map[string]any) {
			if ev["type"] == "launch" && since(ev) > 0 {
				resp["actions"] = []any{}
			}
		},
	},
	{
		rule: check.Reconsent, clause: "a declined minor update offered again on enter", why: "is offered again on enter after the user saw it", profile: "android-33",
		user: func() sim.User { return &sim.Scripted{Policies: []bool{true, false}} },
		ops:  []sim.Op{launch, update("minor", ""), launch, enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) {
			if ev["type"] == "enter" {
				popup := map[string]any{"type": "show_policy", "version": "2023-09-01", "change": "minor", "accept": "同意并继续", "decline": "不同意"}
				resp["actions"] = append([]any{popup}, actions(resp)...)
			}
		},
	},
	{
		rule: check.Reconsent, clause: "an update loaded mid-step not shown first", why: "does not begin with its popup", profiles: []string{"android-33", "ios-17"},
		user: yes, ops: []sim.Op{launch, update("minor", "show_rationale"), enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) { // left for the next launch
			if ev["type"] == "rationale_answer" && find(resp, "show_policy", "") != nil {
				resp["actions"] = actions(resp)[1:]
			}
		},
	},
	{
		rule: check.Reconsent, clause: "an answer to a screen shown before the update recorded under the newer version", why: "names version 2023-09-01, but the screen the user answered showed the texts of 2022-03-29",
		profiles: []string{"android-33", "ios-17"}, user: yes, ops: []sim.Op{launch, update("revision", "show_rationale"), enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) {
			if ev["type"] == "rationale_answer" && find(resp, "show_policy", "") != nil {
				rewriteReceipt(resp, "rationale", `"version":"2022-03-29"`, `"version":"2023-09-01"`)
			}
		},
	},
	{
		rule: check.Contract, clause: "an answer to a screen shown before the update hashing other texts", why: "hashes other texts", profiles: []string{"android-33", "ios-17"},
		user: yes, ops: []sim.Op{launch, update("minor", "show_rationale"), enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) { // a hash that is not of the screen the user saw
			if ev["type"] == "rationale_answer" && find(resp, "show_policy", "") != nil {
				rewriteReceipt(resp, "rationale", `"text":"`, `"text":"0`)
			}
		},
	},
	{
		rule: check.Contract, clause: "a receipt numbered past the one after its head", why: "is numbered", profiles: []string{"android-33", "ios-17"},
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) { // "seq":3 becomes "seq":93, re-sealed: a gap in the record
			if ev["type"] == "rationale_answer" {
				rewriteReceipt(resp, "rationale", `"seq":`, `"seq":9`)
			}
		},
	},
	{
		rule: check.Contract, clause: "a receipt that starts the chain again in mid-journey", why: "starts a chain numbered", profile: "android-33",
		user: yes, ops: []sim.Op{launch, enter("loan_apply", "apply")},
		broken: func(ev, resp map[string]any) { // prev "" with its own number, re-sealed
			if ev["type"] == "rationale_answer" {
				rewriteReceipt(resp, "rationale", `"prev":"`, `"prev":"","was":"`)
				for i, raw := range resp["receipts"].([]json.RawMessage) {
					var m map[string]any
					dec := json.NewDecoder(bytes.NewReader(raw))
					dec.UseNumber()
					if dec.Decode(&m) == nil && m["was"] != nil {
						delete(m, "was")
						resp["receipts"].([]json.RawMessage)[i] = seal(m)
					}
				}
			}
		},
	},
	{
		rule: check.Contract, clause: "a receipt dated before the one before it that does not say so", why: "does not say time_behind", profile: "android-33",
		user: yes, ops: []sim.Op{launch, {Kind: sim.OpClock, Offset: -2 * time.Hour}, {Kind: sim.OpWithdraw, Permission: "policy"}},
		broken: func(ev, resp map[string]any) {
			rewriteReceipt(resp, "withdraw", `"time_behind":true,`, ``)
		},
	},
	{
		rule: check.Contract, clause: "a receipt that says time_behind when the clock did not go back", why: "says time_behind", profile: "android-33",
		user: yes, ops: []sim.Op{launch, {Kind: sim.OpWithdraw, Permission: "policy"}},
		broken: func(ev, resp map[string]any) {
			rewriteReceipt(resp, "withdraw", `"v":2`, `"time_behind":true,"v":2`)
		},
	},
	{
		rule: check.Contract, clause: "a receipt whose id is not the one its hash gives", why: "id is not", profile: "android-33",
		user: yes, ops: []sim.Op{launch},
		broken: func(ev, resp map[string]any) {
			if rs, _ := resp["receipts"].([]json.RawMessage); len(rs) > 0 {
				rs[0] = bytes.Replace(rs[0], []byte(`"id":"`), []byte(`"id":"0`), 1)
			}
		},
	},
	{
		rule: check.Reconsent, clause: "an accepted update recorded under the version before it", why: "the policy receipt of policy_answer names version 2022-03-29", profile: "android-33",
		user: yes, ops: []sim.Op{launch, update("minor", ""), launch},
		broken: func(ev, resp map[string]any) {
			if ev["type"] == "policy_answer" {
				rewriteReceipt(resp, "policy", `"version":"2023-09-01"`, `"version":"2022-03-29"`)
			}
		},
	},
	{
		rule: check.Reconsent, clause: "the policy withdrawn under a version never accepted", why: "the withdrawal receipt (withdraw policy) names version 2023-09-01, not 2022-03-29", profile: "ios-17",
		user: func() sim.User { return &sim.Scripted{Policies: []bool{true, false}} },
		ops:  []sim.Op{launch, update("minor", ""), launch, {Kind: sim.OpWithdraw, Permission: "policy"}},
		broken: func(ev, resp map[string]any) {
			if ev["type"] == "withdraw" {
				rewriteReceipt(resp, "withdraw", `"version":"2022-03-29"`, `"version":"2023-09-01"`)
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
	engines, policy := engines(t)
	caught := map[string]bool{}
	for _, m := range mutations {
		profiles := m.profiles
		if m.profile != "" {
			profiles = []string{m.profile}
		}
		for _, name := range profiles {
			t.Run(m.rule+"/"+m.clause+"/"+name, func(t *testing.T) {
				p, err := device.Lookup(name)
				if err != nil {
					t.Fatal(err)
				}
				var prior *sim.Prior
				if m.prior != nil {
					prior = m.prior(t)
				}
				real := sim.RunFrom(run(engines, nil), device.NewAt(p, start), m.user(), "zh-CN", prior, m.ops)
				if faults := check.Check(policy, real); len(faults) > 0 {
					t.Fatalf("the real engine breaks rules on this journey: %v", faults)
				}
				broken := sim.RunFrom(run(engines, m.broken), device.NewAt(p, start), m.user(), "zh-CN", prior, m.ops)
				faults := check.Check(policy, broken)
				for _, f := range faults {
					if f.Rule == m.rule && strings.Contains(f.Detail, m.why) {
						caught[m.rule] = true
						return
					}
				}
				t.Errorf("the broken engine is not caught by %s (%q); its faults: %v", m.rule, m.why, faults)
			})
		}
	}
	for _, r := range check.Rules() {
		if !caught[r] {
			t.Errorf("no mutation proves that %s can fail", r)
		}
	}
}
