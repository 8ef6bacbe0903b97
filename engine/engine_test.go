package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/jitconsent/jitconsent/conformance"
	"github.com/jitconsent/jitconsent/engine"
	"github.com/jitconsent/jitconsent/engine/bundle"
)

type response struct {
	Actions []struct {
		Type, Change, Title, Body, Accept, Decline string
		Blocking                                   bool
		Changes                                    []string
	}
	SDKs     []string
	SDKData  map[string]json.RawMessage `json:"sdk_data"`
	Receipts []struct{ Kind, Version, Answer, Text string }
	State    json.RawMessage
	Trace    []struct{ Rule, Detail string }
}

func decide(t *testing.T, e *engine.Engine, state json.RawMessage, event string) response {
	t.Helper()
	return decideOS(t, e, nil, state, event)
}

// decideOS is decide with what the OS reports.
func decideOS(t *testing.T, e *engine.Engine, os map[string]string, state json.RawMessage, event string) response {
	t.Helper()
	dev := conformance.Device{Platform: "android", Version: "33"}
	out := e.Decide(nil, conformance.Request("2026-03-01T10:00:00+08:00", "en", dev, os, state, []byte(event)))
	var r response
	if err := json.Unmarshal(out, &r); err != nil || r.State == nil {
		t.Fatalf("%v: %s", err, out)
	}
	return r
}

// TestMinorUpdate: a minor update offers a choice without blocking;
// declined, consent to the earlier version stands, the app goes on and the
// update is offered again at the next launch, not on every step; accepted,
// the new version is on record (RECONSENT).
func TestMinorUpdate(t *testing.T) {
	ref := newEngine(t, "reference")
	// Notifications granted: the revision's new SDK is a push SDK, which
	// needs them; here only the version it was added by holds it back.
	notif := map[string]string{"notifications": "granted"}
	r := decideOS(t, ref, notif, nil, `{"type":"launch"}`)
	r = decideOS(t, ref, notif, r.State, `{"type":"policy_answer","accepted":true}`)

	minor := newEngine(t, "minor")
	r = decideOS(t, minor, notif, r.State, `{"type":"enter","scenario":"loan_apply","step":"apply"}`)
	if len(r.Actions) != 2 || r.Actions[0].Type != "show_policy" || r.Actions[0].Change != "minor" ||
		r.Actions[0].Blocking || r.Actions[0].Accept == "" || r.Actions[0].Decline == "" || len(r.Actions[0].Changes) == 0 || r.Actions[1].Type != "show_rationale" {
		t.Fatalf("want the minor update, with agree and decline, then the step's rationale; got %+v", r.Actions)
	}
	if len(r.SDKs) == 0 {
		t.Error("a minor update stops no SDK")
	}
	if slices.Contains(r.SDKs, "getui_push") {
		t.Error("an SDK added by a version not accepted runs")
	}
	r = decideOS(t, minor, notif, r.State, `{"type":"policy_answer","accepted":false}`)
	if len(r.Actions) != 0 || len(r.Receipts) != 1 || r.Receipts[0].Kind != "policy" || r.Receipts[0].Version != "2023-09-01" || r.Receipts[0].Answer != "declined" {
		t.Fatalf("declining the minor update: want no action and a policy receipt declining 2023-09-01; got %+v %+v", r.Actions, r.Receipts)
	}
	if len(r.SDKs) == 0 || slices.Contains(r.SDKs, "getui_push") {
		t.Errorf("declined, consent to 2022-03-29 stands and the new version's SDKs wait; got %v", r.SDKs)
	}
	if !strings.Contains(string(r.State), `"accepted":"2022-03-29"`) || strings.Contains(string(r.State), `"basic"`) {
		t.Errorf("declined, the accepted version stays and no basic mode: %s", r.State)
	}
	r = decideOS(t, minor, notif, r.State, `{"type":"enter","scenario":"loan_apply","step":"apply"}`)
	if len(r.Actions) != 1 || r.Actions[0].Type != "show_rationale" {
		t.Errorf("a declined minor update is not offered on every step; got %+v", r.Actions)
	}
	r = decideOS(t, minor, notif, r.State, `{"type":"launch"}`)
	if len(r.Actions) != 1 || r.Actions[0].Change != "minor" || r.Actions[0].Blocking {
		t.Fatalf("a declined minor update is offered again at the next launch; got %+v", r.Actions)
	}
	r = decideOS(t, minor, notif, r.State, `{"type":"policy_answer","accepted":true}`)
	if len(r.Receipts) != 1 || r.Receipts[0].Version != "2023-09-01" || r.Receipts[0].Answer != "accepted" {
		t.Errorf("want a policy receipt accepting 2023-09-01; got %+v", r.Receipts)
	}
	if !slices.Contains(r.SDKs, "getui_push") {
		t.Errorf("once the minor update is accepted the new version's SDKs run; got %v", r.SDKs)
	}
	r = decideOS(t, minor, notif, r.State, `{"type":"launch"}`)
	if len(r.Actions) != 0 {
		t.Errorf("an accepted update is not offered again; got %+v", r.Actions)
	}
}

// TestPolicyLinks: show_policy carries the policy's links in the
// request's locale, on every popup, and the popup's text hash covers them.
func TestPolicyLinks(t *testing.T) {
	b := *compiled(t, "reference")
	b.Texts = maps.Clone(b.Texts)
	urls := map[string]string{}
	for _, loc := range b.Policy.Locales {
		b.Texts[loc] = maps.Clone(b.Texts[loc])
		b.Texts[loc]["link.policy"] = "Full policy (" + loc + ")"
		urls[loc] = "https://www.example.com/privacy?lang=" + loc
	}
	b.Policy.Links = []bundle.Link{{Kind: "policy", Title: "link.policy", URLs: urls}}
	e, err := engine.New(&b)
	if err != nil {
		t.Fatal(err)
	}
	out := e.Decide(nil, conformance.Request("2026-03-01T10:00:00+08:00", "en", conformance.Device{Platform: "android", Version: "33"}, nil, nil, []byte(`{"type":"launch"}`)))
	want := `"links":[{"kind":"policy","title":"Full policy (en)","url":"https://www.example.com/privacy?lang=en"}]`
	if !strings.Contains(string(out), want) {
		t.Errorf("show_policy lacks %s:\n%s", want, out)
	}
	none := *compiled(t, "reference")
	none.Policy.Links = nil
	ne, err := engine.New(&none)
	if err != nil {
		t.Fatal(err)
	}
	plain := ne.Decide(nil, conformance.Request("2026-03-01T10:00:00+08:00", "en", conformance.Device{Platform: "android", Version: "33"}, nil, nil, []byte(`{"type":"launch"}`)))
	if !strings.Contains(string(plain), `"links":[]`) {
		t.Errorf("a policy without links shows an empty list:\n%s", plain)
	}
	// The reference policy's own links reach the popup, in the request's locale.
	ref := newEngine(t, "reference").Decide(nil, conformance.Request("2026-03-01T10:00:00+08:00", "zh-CN", conformance.Device{Platform: "android", Version: "33"}, nil, nil, []byte(`{"type":"launch"}`)))
	if !strings.Contains(string(ref), `{"kind":"policy",`) || !strings.Contains(string(ref), `{"kind":"sdk_list",`) || !strings.Contains(string(ref), `lang=zh-CN`) {
		t.Errorf("the reference popup lacks its policy and SDK-list links in zh-CN:\n%s", ref)
	}
	text := func(out []byte) string {
		var r struct {
			State struct {
				PopupText string `json:"popup_text"`
			}
		}
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		return r.State.PopupText
	}
	if a, b := text(out), text(plain); a == "" || a == b {
		t.Errorf("the popup's text hash does not cover its links: %q and %q", a, b)
	}
	for _, bad := range []string{"http://www.example.com/", "https://", "https:///x", "https://a b"} {
		b.Policy.Links = []bundle.Link{{Kind: "policy", Title: "link.policy", URLs: map[string]string{"zh-CN": bad, "en": bad, "zh-TW": bad}}}
		if _, err := engine.New(&b); err == nil {
			t.Errorf("a link to %q accepted", bad)
		}
	}
}

// TestNewRejectsBadBundles: New validates the bundle and refuses ids it
// would have to escape.
func TestNewRejectsBadBundles(t *testing.T) {
	if _, err := engine.New(nil); err == nil {
		t.Error("nil bundle accepted")
	}
	b := *compiled(t, "reference")
	b.SDKs = slices.Clone(b.SDKs)
	b.SDKs[0].ID = `x"y`
	if _, err := engine.New(&b); err == nil {
		t.Error("an SDK id with a quote accepted")
	}
	b.SDKs[0].ID = "a b" // printable ASCII: written as it is
	if _, err := engine.New(&b); err != nil {
		t.Errorf("an SDK id with a space refused: %v", err)
	}
	b = *compiled(t, "reference")
	b.Format = 99
	if _, err := engine.New(&b); err == nil {
		t.Error("bundle format 99 accepted")
	}
	// A step asks at most 16 things (the flow's bits): consents and
	// permissions together.
	for _, n := range []struct {
		consents, perms int
		ok              bool
	}{{0, 16, true}, {8, 8, true}, {0, 17, false}, {9, 8, false}} {
		b = *compiled(t, "reference")
		b.Scenarios = slices.Clone(b.Scenarios)
		sc := &b.Scenarios[0]
		sc.Steps = slices.Clone(sc.Steps)
		st := &sc.Steps[0]
		sp, c := st.Permissions[0], b.Scenarios[1].Steps[0]
		for _, s := range b.Scenarios {
			for _, x := range s.Steps {
				if len(x.Consents) > 0 {
					c = x
				}
			}
		}
		st.Permissions, st.Consents = nil, nil
		for range n.perms {
			st.Permissions = append(st.Permissions, sp)
		}
		for range n.consents {
			st.Consents = append(st.Consents, c.Consents[0])
		}
		if _, err := engine.New(&b); (err == nil) != n.ok {
			t.Errorf("a step asking %d consents and %d permissions: err %v, want ok %v", n.consents, n.perms, err, n.ok)
		}
	}
}

// TestSDKOptionalData: sdk_data lists, per running SDK that has optional
// data, the data it may collect now, in the policy's order: a datum that
// needs nothing, one whose permission is granted, not one whose
// permission is not, nor one whose separate consent is not given.
func TestSDKOptionalData(t *testing.T) {
	b := *compiled(t, "reference")
	b.SDKs = slices.Clone(b.SDKs)
	i := slices.IndexFunc(b.SDKs, func(s bundle.SDK) bool { return s.ID == "sensors" })
	b.SDKs[i].Optional = []bundle.OptionalData{
		{Data: "device_basic"},
		{Data: "location", Permission: "location"},
		{Data: "camera_frames", Permission: "camera"},
		{Data: "precise", Permission: "location", Sensitive: "precise_location", Purpose: "loan_risk"},
		{Data: "network_info"},
	}
	e, err := engine.New(&b)
	if err != nil {
		t.Fatal(err)
	}
	os := map[string]string{"location": "granted"}
	r := decideOS(t, e, os, nil, `{"type":"launch"}`)
	r = decideOS(t, e, os, r.State, `{"type":"policy_answer","accepted":true}`)
	if got, want := string(r.SDKData["sensors"]), `["device_basic","location","network_info"]`; got != want {
		t.Errorf("sdk_data sensors = %s, want %s", got, want)
	}
	// The same SDKs run with location off: the listing follows the OS,
	// not the last one written.
	r = decideOS(t, e, map[string]string{"location": "denied"}, r.State, `{"type":"launch"}`)
	if got, want := string(r.SDKData["sensors"]), `["device_basic","network_info"]`; got != want {
		t.Errorf("with location off, sdk_data sensors = %s, want %s", got, want)
	}
}

// TestDeterministic: the same request gives the same bytes, whatever
// happened before.
func TestDeterministic(t *testing.T) {
	e := newEngine(t, "reference")
	r := decide(t, e, nil, `{"type":"launch"}`)
	dev := conformance.Device{Platform: "ios", Version: "17.2"}
	req := conformance.Request("2026-03-01T10:00:00+08:00", "zh-HK", dev, map[string]string{"camera": "denied"}, r.State,
		[]byte(`{"type":"enter","scenario":"loan_apply","step":"liveness"}`))
	first := string(e.Decide(nil, req))
	for i := 0; i < 3; i++ {
		decide(t, e, nil, `{"type":"launch"}`)
		if got := string(e.Decide(make([]byte, 0, 10), req)); got != first {
			t.Fatalf("run %d differs:\n%s\n%s", i, got, first)
		}
	}
}

func ExampleEngine_Decide() {
	p, _ := loadReference()
	e, err := engine.New(p)
	if err != nil {
		panic(err)
	}
	out := e.Decide(nil, []byte(`{"now":"2026-03-01T10:00:00+08:00","locale":"en-US",
		"device":{"platform":"android","version":"33"},"event":{"type":"launch"}}`))
	var r struct {
		Actions []struct{ Type, Change, Title string }
		SDKs    []string
	}
	json.Unmarshal(out, &r)
	fmt.Printf("%+v, sdks %v\n", r.Actions, r.SDKs)
	// Output: [{Type:show_policy Change:first Title:Privacy Policy}], sdks []
}

// TestStateHashDetectsEdits flips each byte of a state in turn: every
// change must be detected (the engine starts afresh, or a newer policy
// version is stale_bundle), and the state as returned must be accepted.
func TestStateHashDetectsEdits(t *testing.T) {
	e := newEngine(t, "reference")
	r := decide(t, e, nil, `{"type":"launch"}`)
	r = decide(t, e, r.State, `{"type":"policy_answer","accepted":true}`)
	r = decide(t, e, r.State, `{"type":"enter","scenario":"loan_apply","step":"apply"}`)
	if got := decide(t, e, r.State, `{"type":"launch"}`); len(got.Trace) > 0 && got.Trace[0].Rule == "STATE" {
		t.Fatalf("the state as returned is refused: %v", got.Trace[0])
	}
	for i := range r.State {
		for _, c := range []byte{'0', '1', 'a', '"', ','} {
			if r.State[i] == c {
				continue
			}
			st := slices.Clone(r.State)
			st[i] = c
			if !json.Valid(st) {
				continue
			}
			// Detected: not used (STATE), or, naming a newer policy
			// version, an error that keeps it (stale_bundle).
			out := e.Decide(nil, conformance.Request("2026-03-01T10:00:00+08:00", "en", conformance.Device{Platform: "android", Version: "33"}, nil, st, []byte(`{"type":"launch"}`)))
			if strings.Contains(string(out), `"code":"stale_bundle"`) {
				continue
			}
			got := decide(t, e, st, `{"type":"launch"}`)
			if len(got.Trace) == 0 || got.Trace[0].Rule != "STATE" {
				t.Errorf("byte %d changed to %q is not detected: %s", i, c, st)
			}
		}
	}
}

// TestStateCacheOtherEngine: a cache used with another engine (a newer
// bundle loaded) forgets what it held; the answers are those without it.
func TestStateCacheOtherEngine(t *testing.T) {
	ref, rev := newEngine(t, "reference"), newEngine(t, "revision")
	dev := conformance.Device{Platform: "android", Version: "33"}
	var cache engine.StateCache
	req := func(state json.RawMessage, ev string) []byte {
		return conformance.Request("2026-03-01T10:00:00+08:00", "en", dev, nil, state, []byte(ev))
	}
	r := decide(t, ref, nil, `{"type":"launch"}`)
	out := ref.DecideCached(nil, req(r.State, `{"type":"policy_answer","accepted":true}`), &cache)
	var accepted response
	if err := json.Unmarshal(out, &accepted); err != nil {
		t.Fatal(err)
	}
	next := req(accepted.State, `{"type":"launch"}`)
	if got, want := string(rev.DecideCached(nil, next, &cache)), string(rev.Decide(nil, next)); got != want {
		t.Errorf("the cache of another engine changes the answer:\n%s\nwant\n%s", got, want)
	}
}

// TestStateCacheRepeated: a host that sends one state again and again,
// under its key, under another key or with a byte changed (twice: a
// state that does not verify is never held), gets the answers it gets
// without a cache, byte for byte.
func TestStateCacheRepeated(t *testing.T) {
	e := newEngine(t, "reference")
	dev := conformance.Device{Platform: "android", Version: "33"}
	state := consentedState(t, e)
	req := func(state []byte, key string) []byte {
		return conformance.RequestExtra("2026-03-01T10:05:00+08:00", "zh-CN", dev, map[string]string{"camera": "granted"}, state,
			[]byte(`{"type":"enter","scenario":"loan_apply","step":"apply"}`), conformance.Extra{StateKey: key})
	}
	tampered := bytes.Replace(state, []byte(`"seq":1`), []byte(`"seq":2`), 1)
	if bytes.Equal(tampered, state) {
		t.Fatalf("no head to change in %s", state)
	}
	var cache engine.StateCache
	for i, r := range [][]byte{
		req(state, ""), req(state, ""), // read, then held
		req(state, "00112233445566778899aabbccddeeff"), // held, but verified under no key: read again, refused
		req(state, ""), req(tampered, ""), req(tampered, ""), req(state, ""),
	} {
		got, want := e.DecideCached(nil, r, &cache), e.Decide(nil, r)
		if !bytes.Equal(got, want) {
			t.Errorf("request %d: with the cache\n%s\nwithout\n%s", i+1, got, want)
		}
	}
}

// TestStateCacheHostMembers: a host whose device, locale or OS states
// change between requests (an OS upgrade, the user's language, a
// permission granted), back and forth, gets the answers it gets without
// a cache, byte for byte.
func TestStateCacheHostMembers(t *testing.T) {
	e := newEngine(t, "reference")
	state := consentedState(t, e)
	var cache engine.StateCache
	camera := map[string]string{"camera": "granted"}
	push := map[string]string{"camera": "granted", "notifications": "granted"}
	for i, c := range []struct {
		platform, version, locale string
		os                        map[string]string
	}{{"android", "33", "zh-CN", camera}, {"android", "33", "zh-CN", camera}, {"android", "34", "zh-CN", camera}, {"android", "34", "en", camera},
		{"android", "33", "en", camera}, {"ios", "17.2", "en", camera}, {"ios", "17.2", "en", camera}, {"android", "33", "zh-CN", camera},
		{"android", "33", "zh-Hans-CN", camera}, {"android", "33", "zh-CN", push}, {"android", "33", "zh-CN", push},
		{"android", "33", "zh-CN", camera}, {"android", "33", "zh-CN", nil}, {"android", "33", "zh-CN", camera}} {
		r := conformance.Request("2026-03-01T10:05:00+08:00", c.locale, conformance.Device{Platform: c.platform, Version: c.version},
			c.os, state, []byte(`{"type":"enter","scenario":"loan_apply","step":"apply"}`))
		got, want := e.DecideCached(nil, r, &cache), e.Decide(nil, r)
		if !bytes.Equal(got, want) {
			t.Errorf("request %d (%s %s, %s): with the cache\n%s\nwithout\n%s", i+1, c.platform, c.version, c.locale, got, want)
		}
	}
}

// TestReceiptNamesItsStep: a receipt names the step it was given in,
// in the policy's first scenario too.
func TestReceiptNamesItsStep(t *testing.T) {
	e := newEngine(t, "reference")
	dev := conformance.Device{Platform: "ios", Version: "17.2"}
	var state json.RawMessage
	var out []byte
	for _, ev := range []string{`{"type":"launch"}`, `{"type":"policy_answer","accepted":true}`,
		`{"type":"enter","scenario":"browse","step":"save_image"}`, `{"type":"rationale_answer","permission":"photos","accepted":true}`} {
		out = e.Decide(nil, conformance.Request("2026-03-01T10:00:00+08:00", "en", dev, nil, state, []byte(ev)))
		var r response
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		state = r.State
	}
	var r struct {
		Receipts []struct{ Kind, Scenario, Step string }
	}
	if err := json.Unmarshal(out, &r); err != nil || len(r.Receipts) != 1 || r.Receipts[0].Scenario != "browse" || r.Receipts[0].Step != "save_image" {
		t.Errorf("the receipt does not name browse/save_image: %s", out)
	}
}

// TestPickerWithSeparateConsent: a permission asked through a picker (no
// permission, nothing asked of the OS) that processes sensitive data still
// needs its separate consent, on a consent screen of its own on every
// platform: the picker has no rationale to carry it. Declining it leaves
// the step without the picker (its fallback), and records nothing for
// the permission. The reference policy has no such ask; this one is made
// for the test.
func TestPickerWithSeparateConsent(t *testing.T) {
	b := *compiled(t, "reference")
	b.Scenarios = slices.Clone(b.Scenarios)
	sc := slices.IndexFunc(b.Scenarios, func(s bundle.Scenario) bool { return s.ID == "loan_apply" })
	b.Scenarios[sc].Steps = slices.Clone(b.Scenarios[sc].Steps)
	st := slices.IndexFunc(b.Scenarios[sc].Steps, func(s bundle.Step) bool { return s.ID == "emergency_contacts" })
	step := &b.Scenarios[sc].Steps[st]
	step.Permissions = slices.Clone(step.Permissions)
	step.Permissions[0].Sensitive, step.Permissions[0].ConsentPurpose = "precise_location", "loan_risk"
	e, err := engine.New(&b)
	if err != nil {
		t.Fatal(err)
	}
	enter := `{"type":"enter","scenario":"loan_apply","step":"emergency_contacts"}`
	r := decide(t, e, nil, `{"type":"launch"}`)
	r = decide(t, e, r.State, `{"type":"policy_answer","accepted":true}`)
	before := r.State
	r = decide(t, e, before, enter)
	if len(r.Actions) != 1 || r.Actions[0].Type != "show_consent" || r.Actions[0].Decline == "" {
		t.Fatalf("entering: %+v, want a consent screen with a decline button", r.Actions)
	}
	accepted := decide(t, e, r.State, `{"type":"consent_answer","sensitive":"precise_location","purpose":"loan_risk","accepted":true}`)
	if len(accepted.Actions) != 1 || accepted.Actions[0].Type != "proceed" {
		t.Fatalf("after the consent: %+v, want proceed", accepted.Actions)
	}
	out := e.Decide(nil, conformance.Request("2026-03-01T10:00:00+08:00", "en", conformance.Device{Platform: "android", Version: "33"}, nil, accepted.State, []byte(enter)))
	if !strings.Contains(string(out), `"system_apis":[{"permission":"contacts","access":"picker","api":"Intent.ACTION_PICK"}]`) {
		t.Errorf("the next entry does not go on with the picker: %s", out)
	}
	declined := decide(t, e, r.State, `{"type":"consent_answer","sensitive":"precise_location","purpose":"loan_risk","accepted":false}`)
	out = e.Decide(nil, conformance.Request("2026-03-01T10:00:01+08:00", "en", conformance.Device{Platform: "android", Version: "33"}, nil, r.State,
		[]byte(`{"type":"consent_answer","sensitive":"precise_location","purpose":"loan_risk","accepted":false}`)))
	if len(declined.Actions) != 1 || declined.Actions[0].Type != "proceed" || !strings.Contains(string(out), `"missing":["contacts"]`) || strings.Contains(string(out), "system_apis") {
		t.Errorf("after declining: %s, want proceed without contacts and without the picker", out)
	}
	if strings.Contains(string(declined.State), `"perms"`) {
		t.Errorf("declining the consent recorded something for the permission: %s", declined.State)
	}
}

// TestShownTextsInState: the version and hash of the screen waiting are
// in the state and covered by its integrity hash; a state from before
// they were kept (case 221) still reads.
func TestShownTextsInState(t *testing.T) {
	ref := newEngine(t, "reference")
	r := decide(t, ref, nil, `{"type":"launch"}`)
	if !strings.Contains(string(r.State), `"popup_text":"`) {
		t.Fatalf("the popup's text hash is not kept: %s", r.State)
	}
	r = decide(t, ref, r.State, `{"type":"policy_answer","accepted":true}`)
	r = decide(t, ref, r.State, `{"type":"enter","scenario":"loan_apply","step":"apply"}`)
	var st struct {
		Flow struct{ Version, Text string }
	}
	if err := json.Unmarshal(r.State, &st); err != nil || st.Flow.Version != "2022-03-29" || len(st.Flow.Text) != 64 {
		t.Fatalf("the rationale's version and text hash are not kept: %v %s", err, r.State)
	}
	for _, edit := range []struct{ from, to string }{
		{st.Flow.Text, strings.Repeat("0", 63) + "1"},
		{`,"version":"2022-03-29","text":"` + st.Flow.Text + `"`, ""},
	} {
		changed := json.RawMessage(strings.Replace(string(r.State), edit.from, edit.to, 1))
		// Untrusted, the state is a fresh install's: no rationale waits.
		got := ref.Decide(nil, conformance.Request("2026-03-01T10:00:00+08:00", "en", conformance.Device{Platform: "android", Version: "33"}, nil, changed, []byte(`{"type":"rationale_answer","permission":"location","accepted":true}`)))
		if !strings.Contains(string(got), `"code":"not_requested"`) {
			t.Errorf("a state whose kept text was edited (%q) is used: %s", edit.to, got)
		}
	}
}
